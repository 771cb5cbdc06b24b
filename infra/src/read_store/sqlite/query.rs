//! Translates a [`CheckedQuery`] into SQLite SQL over `json_extract`, with every
//! value a bind parameter. Field paths are validated, so they are written as literals
//! (which also lets SQLite use the expression indexes of the migration).

use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use crate::read_store::query::CheckedQuery;
use crate::read_store::{FieldPath, FieldValue};

/// The fields the migrations index as `(collection, json_extract(doc, '$.<field>'))`,
/// with their index names.
const INDEXED: [(&str, &str); 4] = [
    ("customer_id", "rm_documents_customer_id"),
    ("category_id", "rm_documents_category_id"),
    ("sku", "rm_documents_sku"),
    ("customer_fingerprint", "rm_documents_customer_fingerprint"),
];

/// How many documents of `collection` match.
pub(super) async fn count(conn: &mut SqliteConnection, collection: &str, q: &CheckedQuery) -> Result<i64, sqlx::Error> {
    let mut sql = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM rm_documents");
    push_index(&mut sql, q);
    push_conditions(&mut sql, collection, q);
    sql.build_query_scalar().fetch_one(conn).await
}

/// One page of matching document texts, sorted.
pub(super) async fn page(
    conn: &mut SqliteConnection,
    collection: &str,
    q: &CheckedQuery,
) -> Result<Vec<String>, sqlx::Error> {
    let mut sql = QueryBuilder::<Sqlite>::new("SELECT doc FROM rm_documents");
    push_index(&mut sql, q);
    push_conditions(&mut sql, collection, q);
    sql.push(" ORDER BY ");
    if let Some((field, direction)) = &q.sort {
        sql.push(extract(field)).push(" ").push(direction.sql()).push(", ");
    }
    sql.push("id ASC LIMIT ");
    sql.push_bind(i64::try_from(q.limit).unwrap_or(i64::MAX));
    sql.push(" OFFSET ");
    sql.push_bind(i64::try_from(q.offset).unwrap_or(i64::MAX));
    sql.build_query_scalar().fetch_all(conn).await
}

/// Names the expression index of a text equality filter, when there is one.
///
/// Without statistics (a read store is never `ANALYZE`d) SQLite prefers the primary
/// key's `collection` prefix over the expression index, and reads and parses every
/// document of the collection: each "product by SKU" lookup of the catalog projector
/// scanned all products, which made rebuilds quadratic. A text filter always writes
/// `json_extract(doc, '$.<field>') = ?`, so the index can always serve it.
fn push_index(sql: &mut QueryBuilder<'_, Sqlite>, q: &CheckedQuery) {
    let indexed = q.filters.iter().find_map(|(field, value)| match value {
        FieldValue::Text(_) => INDEXED.iter().find(|(name, _)| field.segments() == [*name]).map(|(_, index)| *index),
        _ => None,
    });
    if let Some(index) = indexed {
        sql.push(" INDEXED BY ").push(index);
    }
}

fn push_conditions(sql: &mut QueryBuilder<'_, Sqlite>, collection: &str, q: &CheckedQuery) {
    sql.push(" WHERE collection = ").push_bind(collection.to_owned());
    for (field, value) in &q.filters {
        sql.push(" AND ");
        match value {
            FieldValue::Text(text) => {
                sql.push(json_type(field)).push(" = 'text' AND ");
                sql.push(extract(field)).push(" = ").push_bind(text.clone());
            }
            FieldValue::Integer(n) => {
                sql.push(json_type(field)).push(" IN ('integer', 'real') AND ");
                sql.push(extract(field)).push(" = ").push_bind(*n);
            }
            FieldValue::Float(n) => {
                sql.push(json_type(field)).push(" IN ('integer', 'real') AND ");
                sql.push(extract(field)).push(" = ").push_bind(*n);
            }
            FieldValue::Bool(b) => {
                sql.push(json_type(field)).push(if *b { " = 'true'" } else { " = 'false'" });
            }
        }
    }
    for (field, min, max) in &q.ranges {
        sql.push(" AND ").push(json_type(field)).push(" IN ('integer', 'real')");
        if let Some(min) = min {
            sql.push(" AND ").push(extract(field)).push(" >= ").push_bind(*min);
        }
        if let Some(max) = max {
            sql.push(" AND ").push(extract(field)).push(" <= ").push_bind(*max);
        }
    }
    if let Some((needle, fields)) = &q.search {
        sql.push(" AND (");
        for (i, field) in fields.iter().enumerate() {
            if i > 0 {
                sql.push(" OR ");
            }
            // lower() folds ASCII only; the needle is lower-cased in Rust.
            sql.push("instr(lower(").push(extract(field)).push("), ").push_bind(needle.clone()).push(") > 0");
        }
        sql.push(")");
    }
}

/// `json_extract(doc, '$.a.b')`, exactly as in the migration's expression indexes.
fn extract(field: &FieldPath) -> String {
    format!("json_extract(doc, '{}')", field.sqlite_path())
}

fn json_type(field: &FieldPath) -> String {
    format!("json_type(doc, '{}')", field.sqlite_path())
}
