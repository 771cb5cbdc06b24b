//! Translates a [`CheckedQuery`] into PostgreSQL SQL over JSONB, with every value a
//! bind parameter. Field paths are validated, so they are written as literals (which
//! also lets PostgreSQL use the expression indexes of the migration).

use serde_json::Value;
use sqlx::{PgConnection, Postgres, QueryBuilder};

use crate::read_store::FieldPath;
use crate::read_store::query::CheckedQuery;

/// How many documents of `collection` match.
pub(super) async fn count(conn: &mut PgConnection, collection: &str, q: &CheckedQuery) -> Result<i64, sqlx::Error> {
    let mut sql = QueryBuilder::<Postgres>::new("SELECT COUNT(*) FROM rm_documents");
    push_conditions(&mut sql, collection, q);
    sql.build_query_scalar().fetch_one(conn).await
}

/// One page of matching documents, sorted.
pub(super) async fn page(
    conn: &mut PgConnection,
    collection: &str,
    q: &CheckedQuery,
) -> Result<Vec<Value>, sqlx::Error> {
    let mut sql = QueryBuilder::<Postgres>::new("SELECT doc FROM rm_documents");
    push_conditions(&mut sql, collection, q);
    sql.push(" ORDER BY ");
    if let Some((field, direction)) = &q.sort {
        // jsonb orders numbers numerically; missing fields sort first, as in SQLite.
        let nulls = match direction {
            crate::read_store::SortDirection::Asc => "NULLS FIRST",
            crate::read_store::SortDirection::Desc => "NULLS LAST",
        };
        sql.push(json(field)).push(" ").push(direction.sql()).push(" ").push(nulls).push(", ");
    }
    sql.push("id ASC LIMIT ");
    sql.push_bind(i64::try_from(q.limit).unwrap_or(i64::MAX));
    sql.push(" OFFSET ");
    sql.push_bind(i64::try_from(q.offset).unwrap_or(i64::MAX));
    sql.build_query_scalar().fetch_all(conn).await
}

fn push_conditions(sql: &mut QueryBuilder<'_, Postgres>, collection: &str, q: &CheckedQuery) {
    sql.push(" WHERE collection = ").push_bind(collection.to_owned());
    for (field, value) in &q.filters {
        // jsonb equality: same type and value, numbers compared numerically.
        sql.push(" AND ").push(json(field)).push(" = ").push_bind(value.to_json());
    }
    for (field, min, max) in &q.ranges {
        let number = format!("(CASE WHEN jsonb_typeof({j}) = 'number' THEN ({j})::float8 END)", j = json(field));
        sql.push(" AND jsonb_typeof(").push(json(field)).push(") = 'number'");
        if let Some(min) = min {
            sql.push(" AND ").push(&number).push(" >= ").push_bind(*min);
        }
        if let Some(max) = max {
            sql.push(" AND ").push(&number).push(" <= ").push_bind(*max);
        }
    }
    if let Some((needle, fields)) = &q.search {
        sql.push(" AND (");
        for (i, field) in fields.iter().enumerate() {
            if i > 0 {
                sql.push(" OR ");
            }
            sql.push("strpos(lower(").push(text(field)).push("), ").push_bind(needle.clone()).push(") > 0");
        }
        sql.push(")");
    }
}

/// `doc -> 'a' -> 'b'`: the JSONB value at a path, as in the migration's indexes.
fn json(field: &FieldPath) -> String {
    let mut out = String::from("doc");
    for segment in field.segments() {
        out.push_str(" -> '");
        out.push_str(segment);
        out.push('\'');
    }
    out
}

/// `doc -> 'a' ->> 'b'`: the value at a path as text.
fn text(field: &FieldPath) -> String {
    let mut out = String::from("doc");
    let last = field.segments().len().saturating_sub(1);
    for (i, segment) in field.segments().iter().enumerate() {
        out.push_str(if i == last { " ->> '" } else { " -> '" });
        out.push_str(segment);
        out.push('\'');
    }
    out
}
