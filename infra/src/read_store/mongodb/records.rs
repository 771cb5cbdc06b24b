//! How documents and checkpoints are laid out in MongoDB, and the indexes over them.
//!
//! `rm_documents` holds one record per read-model document:
//! `{_id: {c: collection, i: id}, projection, position, updated_at, doc}`. The
//! document itself sits under `doc`, so its fields never collide with the
//! bookkeeping; `position` is the global position of the batch that wrote it, which
//! the write guards compare against. `rm_checkpoints` holds `{_id: projection,
//! position, updated_at}`.

use mongodb::bson::{Bson, DateTime, Document, doc};
use mongodb::error::ErrorKind;
use mongodb::options::IndexOptions;
use mongodb::{Database, IndexModel};

/// The collection of read-model documents (the SQL adapters' table name).
pub(super) const DOCUMENTS: &str = "rm_documents";
/// The collection of projection checkpoints.
pub(super) const CHECKPOINTS: &str = "rm_checkpoints";
/// The path of a record's read-model collection name.
pub(super) const COLLECTION_FIELD: &str = "_id.c";
/// The path of a record's document id (the tie-breaking sort key).
pub(super) const ID_FIELD: &str = "_id.i";

/// A record's `_id`: the document's key. Always built here, so its field order (which
/// MongoDB's equality on embedded documents depends on) never varies.
pub(super) fn key(collection: &str, id: &str) -> Bson {
    Bson::Document(doc! { "c": collection, "i": id })
}

/// The filter selecting every record of one read-model collection.
pub(super) fn collection_filter(collection: &str) -> Document {
    doc! { COLLECTION_FIELD: collection }
}

/// The full record storing `doc` as document `collection/id` of `projection`,
/// written by the batch at `position`.
pub(super) fn document_record(collection: &str, id: &str, projection: &str, position: i64, doc: Bson) -> Document {
    doc! {
        "_id": key(collection, id),
        "projection": projection,
        "position": position,
        "updated_at": DateTime::now(),
        "doc": doc,
    }
}

/// Creates both collections and the indexes (idempotent): the collection/id order
/// every query filters and sorts by, owner lookups for reset, and the read API's
/// per-request lookups (the same fields the SQL migrations index). Collections are
/// made up front because servers before 4.4 cannot create one inside a transaction.
pub(super) async fn ensure_schema(db: &Database) -> mongodb::error::Result<()> {
    for name in [DOCUMENTS, CHECKPOINTS] {
        if let Err(error) = db.create_collection(name).await
            && !is_namespace_exists(&error)
        {
            return Err(error);
        }
    }
    let index = |name: &str, keys: Document| {
        IndexModel::builder().keys(keys).options(IndexOptions::builder().name(name.to_owned()).build()).build()
    };
    db.collection::<Document>(DOCUMENTS)
        .create_indexes([
            index("collection_id", doc! { COLLECTION_FIELD: 1, ID_FIELD: 1 }),
            index("projection", doc! { "projection": 1 }),
            index("customer_id", doc! { COLLECTION_FIELD: 1, "doc.customer_id": 1 }),
            index("category_id", doc! { COLLECTION_FIELD: 1, "doc.category_id": 1 }),
            index("sku", doc! { COLLECTION_FIELD: 1, "doc.sku": 1 }),
        ])
        .await?;
    Ok(())
}

/// Whether `error` says the collection being created already exists.
fn is_namespace_exists(error: &mongodb::error::Error) -> bool {
    const NAMESPACE_EXISTS: i32 = 48;
    matches!(error.kind.as_ref(), ErrorKind::Command(command) if command.code == NAMESPACE_EXISTS)
}
