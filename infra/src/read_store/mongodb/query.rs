//! Translates a [`CheckedQuery`] into a MongoDB filter and sort over a read-model
//! collection's records, whose top-level fields are the documents' own, with the SQL
//! adapters' semantics:
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
//!   go by id;
//! - a field no document can have (a top-level `_id` or `_emporium…`, which name the
//!   record's id and bookkeeping) matches nothing and sorts as missing everywhere,
//!   as it does in SQL.
//!
//! Field paths are validated (`[a-z_][a-z0-9_]*` segments), so they become dotted
//! paths as they are: no `$` or `.` can come from a caller.

use mongodb::bson::{Bson, Document, doc};

use super::records::{ID_FIELD, is_reserved};
use crate::read_store::{CheckedQuery, FieldPath, FieldValue, SortDirection};

/// The filter selecting the records that match `q`.
pub(super) fn filter(q: &CheckedQuery) -> Document {
    let mut conditions = Vec::new();
    for (field, value) in &q.filters {
        conditions.push(match path(field) {
            Some(path) => doc! { path: { "$eq": value_to_bson(value), "$not": { "$type": "array" } } },
            None => nothing(),
        });
    }
    for (field, min, max) in &q.ranges {
        let Some(path) = path(field) else {
            conditions.push(nothing());
            continue;
        };
        let mut range = doc! { "$type": "number", "$not": { "$type": "array" } };
        if let Some(min) = min {
            range.insert("$gte", *min);
        }
        if let Some(max) = max {
            range.insert("$lte", *max);
        }
        conditions.push(doc! { path: range });
    }
    if let Some((needle, fields)) = &q.search {
        let pattern = literal_pattern(needle);
        let any: Vec<Bson> = fields
            .iter()
            .filter_map(path)
            .map(|path| Bson::Document(doc! { path: { "$regex": pattern.as_str(), "$options": "i" } }))
            .collect();
        conditions.push(if any.is_empty() {
            nothing()
        } else {
            doc! { "$or": any }
        });
    }
    // `$and` because several conditions may name the same field; MongoDB refuses an
    // empty one.
    if conditions.is_empty() {
        Document::new()
    } else {
        doc! { "$and": conditions }
    }
}

/// The sort: the query's key (if any), then the document id ascending.
pub(super) fn sort(q: &CheckedQuery) -> Document {
    let mut sort = Document::new();
    if let Some((path, direction)) = q.sort.as_ref().and_then(|(field, direction)| Some((path(field)?, direction))) {
        sort.insert(path, if *direction == SortDirection::Asc { 1 } else { -1 });
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

/// The dotted path of a document field in a record; `None` for a field that names the
/// record's id or bookkeeping, which no document has.
fn path(field: &FieldPath) -> Option<String> {
    let outermost = field.segments().first()?;
    (!is_reserved(outermost)).then(|| field.to_string())
}

/// A condition no record meets: every record has an `_id`.
fn nothing() -> Document {
    doc! { ID_FIELD: { "$exists": false } }
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
    fn conditions_name_top_level_fields_and_combine_with_and() {
        let q = Query::new()
            .filter("status", "paid")
            .filter("price.amount", 5)
            .range("price.amount", Some(1.0), None)
            .search("a.b", ["name"])
            .checked()
            .unwrap();
        let expected = doc! { "$and": [
            { "status": { "$eq": "paid", "$not": { "$type": "array" } } },
            { "price.amount": { "$eq": 5_i64, "$not": { "$type": "array" } } },
            { "price.amount": { "$type": "number", "$not": { "$type": "array" }, "$gte": 1.0 } },
            { "$or": [ { "name": { "$regex": "a\\x2eb", "$options": "i" } } ] },
        ] };
        assert_eq!(filter(&q), expected);
        assert_eq!(filter(&Query::new().checked().unwrap()), doc! {});
    }

    #[test]
    fn fields_naming_the_id_or_bookkeeping_match_nothing_and_do_not_sort() {
        let never = doc! { "_id": { "$exists": false } };
        for q in [
            Query::new().filter("_id", "p1"),
            Query::new().range("_emporium.position", None, None),
            Query::new().search("p", ["_id", "_emporium_x"]),
        ] {
            assert_eq!(filter(&q.checked().unwrap()), doc! { "$and": [never.clone()] });
        }
        let some = Query::new().search("p", ["_id", "name"]).checked().unwrap();
        assert_eq!(filter(&some), doc! { "$and": [ { "$or": [ { "name": { "$regex": "p", "$options": "i" } } ] } ] });
        let by_bookkeeping = Query::new().sort("_emporium.position", SortDirection::Desc).checked().unwrap();
        assert_eq!(sort(&by_bookkeeping), doc! { "_id": 1 });
        // Nested fields of those names are the document's own.
        let nested = Query::new().filter("price._id", 1).checked().unwrap();
        assert_eq!(
            filter(&nested),
            doc! { "$and": [ { "price._id": { "$eq": 1_i64, "$not": { "$type": "array" } } } ] }
        );
    }

    #[test]
    fn ties_are_broken_by_id_in_both_directions() {
        let desc = Query::new().sort("price", SortDirection::Desc).checked().unwrap();
        assert_eq!(sort(&desc), doc! { "price": -1, "_id": 1 });
        assert_eq!(sort(&Query::new().checked().unwrap()), doc! { "_id": 1 });
    }
}
