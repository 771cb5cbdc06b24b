//! JSON documents to BSON and back, type for type: integers stay 64-bit integers and
//! floats stay doubles, so a document reads back exactly as it was written and
//! numeric filters and sorts compare numbers as numbers.

use mongodb::bson::{Bson, Document};
use serde::de::Error as _;
use serde_json::{Map, Number, Value};

use crate::read_store::ReadStoreError;

/// The BSON form of a JSON value.
///
/// Fails on what BSON cannot hold: an integer above `i64::MAX` (there is no unsigned
/// 64-bit BSON type, and a double would silently lose digits) and an object key with
/// a NUL character (BSON keys are C strings).
pub(super) fn to_bson(value: &Value) -> Result<Bson, ReadStoreError> {
    Ok(match value {
        Value::Null => Bson::Null,
        Value::Bool(b) => Bson::Boolean(*b),
        Value::Number(n) => number_to_bson(n)?,
        Value::String(s) => Bson::String(s.clone()),
        Value::Array(items) => Bson::Array(items.iter().map(to_bson).collect::<Result<_, _>>()?),
        Value::Object(map) => Bson::Document(object_to_document(map)?),
    })
}

/// The JSON form of a BSON value this adapter wrote.
///
/// 32-bit integers (which other tools may have written) read as integers too; types
/// JSON has no counterpart for (dates, object ids, decimals…) and non-finite doubles
/// are refused rather than guessed at.
pub(super) fn to_json(value: Bson) -> Result<Value, ReadStoreError> {
    Ok(match value {
        Bson::Null => Value::Null,
        Bson::Boolean(b) => Value::Bool(b),
        Bson::Int32(i) => Value::from(i),
        Bson::Int64(i) => Value::from(i),
        Bson::Double(f) => Number::from_f64(f).map(Value::Number).ok_or_else(|| unsupported(&format!("double {f}")))?,
        Bson::String(s) => Value::String(s),
        Bson::Array(items) => Value::Array(items.into_iter().map(to_json).collect::<Result<_, _>>()?),
        Bson::Document(doc) => Value::Object(document_to_object(doc)?),
        other => return Err(unsupported(&format!("BSON {:?} value", other.element_type()))),
    })
}

/// Names the document a conversion error concerns.
pub(super) fn in_document(error: ReadStoreError, collection: &str, id: &str) -> ReadStoreError {
    match error {
        ReadStoreError::Json { context, source } => {
            ReadStoreError::Json { context: format!("{context}: document {collection}/{id}"), source }
        }
        ReadStoreError::OutOfRange { context, value } => {
            ReadStoreError::OutOfRange { context: format!("{context}: document {collection}/{id}"), value }
        }
        other => other,
    }
}

fn number_to_bson(n: &Number) -> Result<Bson, ReadStoreError> {
    if let Some(i) = n.as_i64() {
        return Ok(Bson::Int64(i));
    }
    if let Some(u) = n.as_u64() {
        return Err(ReadStoreError::OutOfRange {
            context: "storing a document integer in MongoDB (signed 64-bit)".to_owned(),
            value: i128::from(u),
        });
    }
    n.as_f64().map(Bson::Double).ok_or_else(|| unsupported(&format!("number {n}")))
}

/// The BSON document of a JSON object, field for field in the object's order.
pub(super) fn object_to_document(map: &Map<String, Value>) -> Result<Document, ReadStoreError> {
    let mut doc = Document::new();
    for (key, value) in map {
        if key.contains('\0') {
            return Err(unsupported("object key with a NUL character"));
        }
        doc.insert(key.clone(), to_bson(value)?);
    }
    Ok(doc)
}

fn document_to_object(doc: Document) -> Result<Map<String, Value>, ReadStoreError> {
    doc.into_iter().map(|(key, value)| Ok((key, to_json(value)?))).collect()
}

fn unsupported(what: &str) -> ReadStoreError {
    ReadStoreError::Json {
        context: "converting a read-store document between JSON and BSON".to_owned(),
        source: serde_json::Error::custom(format!("unsupported {what}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb::bson::{DateTime, doc};
    use serde_json::json;

    #[test]
    fn integers_become_int64_and_floats_doubles() {
        assert_eq!(to_bson(&json!(7)).unwrap(), Bson::Int64(7));
        assert_eq!(to_bson(&json!(-7)).unwrap(), Bson::Int64(-7));
        assert_eq!(to_bson(&json!(i64::MAX)).unwrap(), Bson::Int64(i64::MAX));
        assert_eq!(to_bson(&json!(1.0)).unwrap(), Bson::Double(1.0));
        assert_eq!(to_bson(&json!(2.5)).unwrap(), Bson::Double(2.5));
    }

    #[test]
    fn every_json_value_round_trips_exactly() {
        let original = json!({
            "id": "p-1",
            "count": 1,
            "ratio": 1.0,
            "big": i64::MIN,
            "price": {"amount": 2599, "currency": "EUR"},
            "tags": ["a", 2, 2.5, null, true, {"deep": [[]]}],
            "note": "héllo \"q\" $not.an.operator",
            "$odd.key": false,
            "empty": {}
        });
        let back = to_json(to_bson(&original).unwrap()).unwrap();
        assert_eq!(back, original);
        // serde_json tells 1 from 1.0: the round trip kept each number's kind.
        assert!(back["count"].is_i64() && back["ratio"].is_f64());
    }

    #[test]
    fn keys_keep_the_json_maps_order() {
        let original = json!({"z": 1, "a": 2, "m": 3});
        let bson = to_bson(&original).unwrap();
        let keys: Vec<&str> = bson.as_document().unwrap().keys().map(String::as_str).collect();
        let expected: Vec<&str> = original.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, expected);
    }

    #[test]
    fn integers_beyond_i64_are_refused_not_rounded() {
        let result = to_bson(&json!({"n": u64::MAX}));
        assert!(matches!(result, Err(ReadStoreError::OutOfRange { value, .. }) if value == i128::from(u64::MAX)));
    }

    #[test]
    fn keys_with_nul_are_refused() {
        assert!(matches!(to_bson(&json!({"a\u{0}b": 1})), Err(ReadStoreError::Json { .. })));
    }

    #[test]
    fn int32_written_by_others_reads_as_an_integer() {
        assert_eq!(to_json(Bson::Int32(5)).unwrap(), json!(5));
        assert_eq!(to_json(Bson::Document(doc! {"n": 5_i32})).unwrap(), json!({"n": 5}));
    }

    #[test]
    fn bson_without_a_json_counterpart_is_an_error_not_a_guess() {
        assert!(to_json(Bson::DateTime(DateTime::now())).is_err());
        assert!(to_json(Bson::Double(f64::NAN)).is_err());
    }
}
