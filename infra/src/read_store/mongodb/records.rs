//! How read models and checkpoints are laid out in MongoDB, and the indexes over them.
//!
//! Each read-model collection is a MongoDB collection of the same name holding one
//! record per document: `{_id: id, <the document's own fields>, _emporium:
//! {projection, position, updated_at}}`. `_emporium.position` is the global position
//! of the batch that wrote the record, which the write guards compare against;
//! `_emporium.projection` is the projection that wrote it, which a reset looks for.
//! `emporium_checkpoints` holds `{_id: projection, position, updated_at}`.
//!
//! A document may therefore not have a top-level `_id` or `_emporium…` field of its
//! own (projections never write one): such a document is refused, not stored, and a
//! query naming such a field matches nothing, as in the SQL adapters.

use mongodb::bson::{Bson, DateTime, Document, doc};
use mongodb::error::ErrorKind;
use mongodb::options::IndexOptions;
use mongodb::{Collection, Database, IndexModel};
use serde::de::Error as _;
use serde_json::{Map, Value};

use super::collection_name::CollectionName;
use super::convert::{in_document, object_to_document, to_json};
use crate::read_store::ReadStoreError;

/// The collection of projection checkpoints.
pub(super) const CHECKPOINTS: &str = "emporium_checkpoints";
/// A record's document id.
pub(super) const ID_FIELD: &str = "_id";
/// The bookkeeping field of every record, and the prefix reserved for it.
pub(super) const BOOKKEEPING_FIELD: &str = "_emporium";
/// The path of the position of the batch that wrote a record.
pub(super) const POSITION_FIELD: &str = "_emporium.position";
/// The path of the projection that wrote a record.
pub(super) const PROJECTION_FIELD: &str = "_emporium.projection";

/// The document fields the read API looks up on every request ("orders of a
/// customer", "products of a category", "product by SKU"): the SQL migrations'
/// indexes, here one each per collection.
const INDEXED_FIELDS: [&str; 3] = ["customer_id", "category_id", "sku"];

/// Whether a top-level field name belongs to the layout rather than to documents.
pub(super) fn is_reserved(field: &str) -> bool {
    field == ID_FIELD || field.starts_with(BOOKKEEPING_FIELD)
}

/// The BSON fields of a document to store: it must be a JSON object without reserved
/// top-level fields.
pub(super) fn document_fields(doc: &Value) -> Result<Document, ReadStoreError> {
    let Value::Object(map) = doc else {
        return Err(refused("a document that is not a JSON object"));
    };
    if let Some(key) = map.keys().find(|key| is_reserved(key)) {
        let key: String = key.chars().take(64).collect();
        return Err(refused(&format!("the top-level field {key:?}, reserved for `_id` and `{BOOKKEEPING_FIELD}`")));
    }
    object_to_document(map)
}

/// The MongoDB collection holding the records of a read-model collection.
pub(super) fn read_model_collection(db: &Database, collection: &CollectionName) -> Collection<Document> {
    db.collection(collection.as_str())
}

/// The full record storing `fields` as document `id` of `projection`, written by the
/// batch at `position`.
pub(super) fn document_record(id: &str, projection: &str, position: i64, fields: &Document) -> Document {
    let mut record = doc! { ID_FIELD: id };
    record.extend(fields.clone());
    record.insert(
        BOOKKEEPING_FIELD,
        doc! { "projection": projection, "position": position, "updated_at": DateTime::now() },
    );
    record
}

/// The JSON document a stored record holds: the record without `_id` and bookkeeping.
pub(super) fn stored_document(mut record: Document, collection: &str) -> Result<Value, ReadStoreError> {
    let id = match record.remove(ID_FIELD) {
        Some(Bson::String(id)) => id,
        Some(other) => other.to_string(),
        None => "?".to_owned(),
    };
    record
        .into_iter()
        .filter(|(key, _)| !is_reserved(key))
        .map(|(key, value)| Ok((key, to_json(value)?)))
        .collect::<Result<Map<String, Value>, ReadStoreError>>()
        .map(Value::Object)
        .map_err(|error| in_document(error, collection, &id))
}

/// The projection that leaves out the bookkeeping (`_id` is needed for messages).
pub(super) fn without_bookkeeping() -> Document {
    doc! { BOOKKEEPING_FIELD: 0 }
}

/// Creates the checkpoint collection (idempotent) up front: servers before 4.4 cannot
/// create one inside a transaction.
pub(super) async fn ensure_checkpoints(db: &Database) -> mongodb::error::Result<()> {
    match db.create_collection(CHECKPOINTS).await {
        Err(error) if !is_namespace_exists(&error) => Err(error),
        _ => Ok(()),
    }
}

/// The indexes of every read-model collection, named after their field.
pub(super) fn document_indexes() -> Vec<IndexModel> {
    INDEXED_FIELDS
        .iter()
        .map(|field| {
            IndexModel::builder()
                .keys(doc! { *field: 1 })
                .options(IndexOptions::builder().name((*field).to_owned()).build())
                .build()
        })
        .collect()
}

/// Whether `error` says the collection being created already exists.
fn is_namespace_exists(error: &mongodb::error::Error) -> bool {
    const NAMESPACE_EXISTS: i32 = 48;
    matches!(error.kind.as_ref(), ErrorKind::Command(command) if command.code == NAMESPACE_EXISTS)
}

fn refused(what: &str) -> ReadStoreError {
    ReadStoreError::Json {
        context: "storing a read-model document in MongoDB".to_owned(),
        source: serde_json::Error::custom(format!("refused {what}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_sit_at_the_top_level_between_the_id_and_the_bookkeeping() {
        let fields = document_fields(&json!({"name": "Kettle", "price": {"amount": 5}})).unwrap();
        let record = document_record("p1", "catalog", 7, &fields);
        let keys: Vec<&str> = record.keys().map(String::as_str).collect();
        assert_eq!(keys, ["_id", "name", "price", "_emporium"]);
        assert_eq!(record.get_str("_id").unwrap(), "p1");
        let bookkeeping = record.get_document("_emporium").unwrap();
        assert_eq!(
            (bookkeeping.get_str("projection").unwrap(), bookkeeping.get_i64("position").unwrap()),
            ("catalog", 7)
        );
        assert!(bookkeeping.get_datetime("updated_at").is_ok());
    }

    #[test]
    fn a_record_reads_back_as_exactly_the_document() {
        let doc = json!({"name": "Kettle", "n": 1, "f": 1.0, "nested": {"_id": 1, "_emporium": 2}});
        let record = document_record("p1", "catalog", 7, &document_fields(&doc).unwrap());
        assert_eq!(stored_document(record, "products").unwrap(), doc);
    }

    #[test]
    fn reserved_top_level_fields_and_non_objects_are_refused() {
        for bad in [json!({"_id": "x"}), json!({"_emporium": {}}), json!({"_emporium_x": 1}), json!([1]), json!("s")] {
            assert!(matches!(document_fields(&bad), Err(ReadStoreError::Json { .. })), "{bad}");
        }
        assert!(document_fields(&json!({"id": 1, "_idx": 2, "emporium": 3})).is_ok());
    }
}
