//! Translates a [`CheckedQuery`] into a MongoDB filter and sort over the stored
//! documents' `doc` field, with the SQL adapters' semantics:
//!
//! - an equality never matches inside an array (MongoDB's `{f: v}` would match an
//!   array containing `v`; SQL compares the whole value);
//! - a range matches numbers only (BSON comparison brackets by type, and `$type`
//!   covers the unbounded case);
//! - text search is a case-insensitive `$regex` whose every ASCII punctuation or
//!   control character is escaped, so `%`, `_`, `.` or `(` mean themselves. Text
//!   indexes are not used: they match words, not substrings;
//! - sort: BSON orders missing/null first, then numbers numerically (integers and
//!   doubles alike), then strings by code point (UTF-8 bytes), like SQLite; ties
//!   go by id.
//!
//! Field paths are validated (`[a-z_][a-z0-9_]*` segments), so they become dotted
//! paths under `doc.` as they are: no `$` or `.` can come from a caller.

use mongodb::bson::{Bson, Document, doc};

use super::records::{ID_FIELD, collection_filter};
use crate::read_store::query::CheckedQuery;
use crate::read_store::{FieldPath, FieldValue, SortDirection};

/// The filter selecting the documents of `collection` that match `q`.
pub(super) fn filter(collection: &str, q: &CheckedQuery) -> Document {
    let mut conditions = vec![collection_filter(collection)];
    for (field, value) in &q.filters {
        conditions.push(doc! { path(field): { "$eq": value_to_bson(value), "$not": { "$type": "array" } } });
    }
    for (field, min, max) in &q.ranges {
        let mut range = doc! { "$type": "number", "$not": { "$type": "array" } };
        if let Some(min) = min {
            range.insert("$gte", *min);
        }
        if let Some(max) = max {
            range.insert("$lte", *max);
        }
        conditions.push(doc! { path(field): range });
    }
    if let Some((needle, fields)) = &q.search {
        let pattern = literal_pattern(needle);
        let any: Vec<Bson> = fields
            .iter()
            .map(|field| Bson::Document(doc! { path(field): { "$regex": pattern.as_str(), "$options": "i" } }))
            .collect();
        conditions.push(doc! { "$or": any });
    }
    // `$and` because several conditions may name the same field.
    doc! { "$and": conditions }
}

/// The sort: the query's key (if any), then the document id ascending.
pub(super) fn sort(q: &CheckedQuery) -> Document {
    let mut sort = Document::new();
    if let Some((field, direction)) = &q.sort {
        sort.insert(path(field), if *direction == SortDirection::Asc { 1 } else { -1 });
    }
    sort.insert(ID_FIELD, 1);
    sort
}

/// A regular expression matching `text` literally: ASCII letters, digits and
/// everything non-ASCII as themselves, every other ASCII character as `\xHH`, which
/// PCRE (MongoDB) and Python's `re` (SecantusDB) both read as that very byte.
pub(super) fn literal_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || !c.is_ascii() {
            pattern.push(c);
        } else {
            pattern.push_str(&format!("\\x{:02x}", u32::from(c)));
        }
    }
    pattern
}

/// `doc.a.b`: where a document field lives in the stored record.
fn path(field: &FieldPath) -> String {
    format!("doc.{field}")
}

fn value_to_bson(value: &FieldValue) -> Bson {
    match value {
        FieldValue::Text(s) => Bson::String(s.clone()),
        FieldValue::Integer(i) => Bson::Int64(*i),
        FieldValue::Float(f) => Bson::Double(*f),
        FieldValue::Bool(b) => Bson::Boolean(*b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read_store::Query;

    #[test]
    fn metacharacters_are_escaped_and_letters_kept() {
        assert_eq!(literal_pattern("Shoe"), "Shoe");
        assert_eq!(literal_pattern("a.b*"), "a\\x2eb\\x2a");
        assert_eq!(literal_pattern("100% c_s"), "100\\x25\\x20c\\x5fs");
        assert_eq!(
            literal_pattern("(x|y)[z]{2}^$\\?+"),
            "\\x28x\\x7cy\\x29\\x5bz\\x5d\\x7b2\\x7d\\x5e\\x24\\x5c\\x3f\\x2b"
        );
        assert_eq!(literal_pattern("é\u{0}"), "é\\x00");
    }

    #[test]
    fn conditions_go_under_doc_and_combine_with_and() {
        let q = Query::new()
            .filter("status", "paid")
            .filter("price.amount", 5)
            .range("price.amount", Some(1.0), None)
            .search("a.b", ["name"])
            .checked()
            .unwrap();
        let expected = doc! { "$and": [
            { "_id.c": "orders" },
            { "doc.status": { "$eq": "paid", "$not": { "$type": "array" } } },
            { "doc.price.amount": { "$eq": 5_i64, "$not": { "$type": "array" } } },
            { "doc.price.amount": { "$type": "number", "$not": { "$type": "array" }, "$gte": 1.0 } },
            { "$or": [ { "doc.name": { "$regex": "a\\x2eb", "$options": "i" } } ] },
        ] };
        assert_eq!(filter("orders", &q), expected);
    }

    #[test]
    fn ties_are_broken_by_id_in_both_directions() {
        let desc = Query::new().sort("price", SortDirection::Desc).checked().unwrap();
        assert_eq!(sort(&desc), doc! { "doc.price": -1, "_id.i": 1 });
        assert_eq!(sort(&Query::new().checked().unwrap()), doc! { "_id.i": 1 });
    }
}
