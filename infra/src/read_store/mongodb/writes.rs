//! The adapter's writes, one named function each, run in the caller's session (inside
//! a transaction when the server has them).
//!
//! Every document write is guarded by position on its own, so it is idempotent even
//! without a transaction: a put replaces a record only if the record's `position` is
//! older than the writing batch's (one pipeline update: the comparison and the
//! replacement are a single atomic step, and an absent record counts as oldest), and
//! a delete removes only such records. A redelivered or replayed batch therefore
//! never overwrites what the same or a later batch wrote, whatever the checkpoint
//! says. Deletes leave no tombstone: without a transaction, an older batch racing
//! past the checkpoint check could bring back a document a newer one deleted.

use mongodb::bson::{Bson, Document, doc};
use mongodb::{ClientSession, Collection};

use super::convert::{in_document, to_bson};
use super::error::is_duplicate_key;
use super::records::{COLLECTION_FIELD, document_record, key};
use crate::read_store::write::last_write_wins;
use crate::read_store::{DocWrite, ReadStoreError};

/// Which stored records a write may replace or delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Guard {
    /// Records written before this position (a batch: its own redelivery and
    /// anything newer are left alone).
    Before(i64),
    /// Records written at or before this position (writes at the stored checkpoint,
    /// which may touch what the last batch wrote).
    UpTo(i64),
}

impl Guard {
    /// The position written records get.
    fn position(self) -> i64 {
        match self {
            Self::Before(position) | Self::UpTo(position) => position,
        }
    }

    /// The comparison a stored record's position must pass.
    fn operator(self) -> &'static str {
        match self {
            Self::Before(_) => "$lt",
            Self::UpTo(_) => "$lte",
        }
    }
}

/// A batch's writes, last write per document only, converted to BSON once so a
/// retried transaction reuses them.
#[derive(Debug, Default)]
pub(super) struct Batch {
    puts: Vec<Put>,
    deletes: Vec<Bson>,
}

#[derive(Debug)]
struct Put {
    collection: String,
    id: String,
    doc: Bson,
}

impl Batch {
    /// Keeps the last write per document (so writes are independent and their order
    /// does not matter) and converts the documents.
    pub(super) fn prepare(writes: Vec<DocWrite>) -> Result<Self, ReadStoreError> {
        let mut batch = Self::default();
        for write in last_write_wins(writes) {
            match write {
                DocWrite::Put { collection, id, doc } => {
                    let doc = to_bson(&doc).map_err(|error| in_document(error, &collection, &id))?;
                    batch.puts.push(Put { collection, id, doc });
                }
                DocWrite::Delete { collection, id } => batch.deletes.push(key(&collection, &id)),
            }
        }
        Ok(batch)
    }
}

/// Applies a batch's writes on behalf of `projection`, each under `guard`.
pub(super) async fn apply(
    documents: &Collection<Document>,
    session: &mut ClientSession,
    projection: &str,
    batch: &Batch,
    guard: Guard,
) -> mongodb::error::Result<()> {
    if !batch.deletes.is_empty() {
        let filter =
            doc! { "_id": { "$in": batch.deletes.clone() }, "position": { guard.operator(): guard.position() } };
        documents.delete_many(filter).session(&mut *session).await?;
    }
    for put in &batch.puts {
        let record = document_record(&put.collection, &put.id, projection, guard.position(), put.doc.clone());
        put_guarded(documents, session, key(&put.collection, &put.id), record, guard).await?;
    }
    Ok(())
}

/// Upserts `record` unless the stored one fails `guard`:
/// `$replaceWith: {$cond: [stored position passes, the new record, the stored one]}`.
/// `$literal` keeps the document's own strings and keys (`"$x"`, `{"$a": 1}`) from
/// being read as expressions.
async fn put_guarded(
    documents: &Collection<Document>,
    session: &mut ClientSession,
    key: Bson,
    record: Document,
    guard: Guard,
) -> mongodb::error::Result<()> {
    let filter = doc! { "_id": key };
    let stored_position = doc! { "$ifNull": ["$position", -1_i64] };
    let replace = doc! {
        "$replaceWith": {
            "$cond": {
                "if": { guard.operator(): [stored_position, guard.position()] },
                "then": { "$literal": record },
                "else": "$$ROOT",
            }
        }
    };
    documents.update_one(filter, vec![replace]).upsert(true).session(session).await?;
    Ok(())
}

/// The filter selecting a projection's checkpoint.
pub(super) fn checkpoint_filter(projection: &str) -> Document {
    doc! { "_id": projection }
}

/// The position stored in a checkpoint record (0 without one).
pub(super) fn checkpoint_position(record: Option<&Document>) -> i64 {
    match record.and_then(|r| r.get("position")) {
        Some(Bson::Int64(position)) => *position,
        Some(Bson::Int32(position)) => i64::from(*position),
        _ => 0,
    }
}

/// The checkpoint of `projection` as the session sees it (0 without one).
pub(super) async fn read_checkpoint(
    checkpoints: &Collection<Document>,
    session: &mut ClientSession,
    projection: &str,
) -> mongodb::error::Result<i64> {
    let record = checkpoints.find_one(checkpoint_filter(projection)).session(session).await?;
    Ok(checkpoint_position(record.as_ref()))
}

/// Moves the checkpoint of `projection` to `position` if that is past it; `false`
/// when it was not (the guarded upsert then collides with the existing `_id`).
pub(super) async fn advance_checkpoint(
    checkpoints: &Collection<Document>,
    session: &mut ClientSession,
    projection: &str,
    position: i64,
) -> mongodb::error::Result<bool> {
    let filter = doc! { "_id": projection, "position": { "$lt": position } };
    let update = doc! { "$set": { "position": position, "updated_at": mongodb::bson::DateTime::now() } };
    match checkpoints.update_one(filter, update).upsert(true).session(session).await {
        Ok(_) => Ok(true),
        Err(error) if is_duplicate_key(&error) => Ok(false),
        Err(error) => Err(error),
    }
}

/// Deletes every record written by `projection` or in one of `collections`, then
/// its checkpoint: in this order, so that without a transaction an interrupted reset
/// leaves the checkpoint in place (and is simply run again) rather than old records
/// whose positions would fence off the rebuild's writes.
pub(super) async fn reset(
    documents: &Collection<Document>,
    checkpoints: &Collection<Document>,
    session: &mut ClientSession,
    projection: &str,
    collections: &[&str],
) -> mongodb::error::Result<()> {
    let listed: Vec<Bson> = collections.iter().map(|c| Bson::String((*c).to_owned())).collect();
    let owned_or_listed = doc! { "$or": [
        { "projection": projection },
        { COLLECTION_FIELD: { "$in": listed } },
    ] };
    documents.delete_many(owned_or_listed).session(&mut *session).await?;
    checkpoints.delete_one(checkpoint_filter(projection)).session(session).await?;
    Ok(())
}
