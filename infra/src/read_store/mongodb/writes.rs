//! The adapter's writes, one named function each, run in the caller's session (inside
//! a transaction when the server has them).
//!
//! Every document write is guarded by position on its own, so it is idempotent even
//! without a transaction: a put replaces a record only if the record's
//! `_emporium.position` is older than the writing batch's (one pipeline update: the
//! comparison and the replacement are a single atomic step, and an absent record, or
//! one without bookkeeping, counts as oldest), and a delete removes only such
//! records. A redelivered or replayed batch therefore never overwrites what the same
//! or a later batch wrote, whatever the checkpoint says. Deletes leave no tombstone:
//! without a transaction, an older batch racing past the checkpoint check could bring
//! back a document a newer one deleted.

use mongodb::bson::{Bson, Document, doc};
use mongodb::{ClientSession, Collection, Database};

use super::collection_name::CollectionName;
use super::convert::in_document;
use super::error::is_duplicate_key;
use super::records::{
    ID_FIELD, POSITION_FIELD, PROJECTION_FIELD, document_fields, document_record, read_model_collection,
};
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

    /// The query condition on stored records that this guard lets through: those
    /// whose position passes, and those without one.
    fn passes(self) -> Document {
        doc! { "$or": [
            { POSITION_FIELD: { self.operator(): self.position() } },
            { POSITION_FIELD: Bson::Null },
        ] }
    }
}

/// A batch's writes, last write per document only, with names checked and documents
/// converted to BSON once, so a retried transaction reuses them.
#[derive(Debug, Default)]
pub(super) struct Batch {
    puts: Vec<Put>,
    /// The ids to delete, per collection, collections in first-touch order.
    deletes: Vec<(CollectionName, Vec<Bson>)>,
}

#[derive(Debug)]
struct Put {
    collection: CollectionName,
    id: String,
    fields: Document,
}

impl Batch {
    /// Keeps the last write per document (so writes are independent and their order
    /// does not matter), checks each collection name as a collection of `database`,
    /// and converts the documents.
    pub(super) fn prepare(writes: Vec<DocWrite>, database: &str) -> Result<Self, ReadStoreError> {
        let mut batch = Self::default();
        for write in last_write_wins(writes) {
            match write {
                DocWrite::Put { collection, id, doc } => {
                    let name = CollectionName::parse(&collection, database)?;
                    let fields = document_fields(&doc).map_err(|error| in_document(error, &collection, &id))?;
                    batch.puts.push(Put { collection: name, id, fields });
                }
                DocWrite::Delete { collection, id } => {
                    let collection = CollectionName::parse(&collection, database)?;
                    match batch.deletes.iter_mut().find(|(name, _)| *name == collection) {
                        Some((_, ids)) => ids.push(Bson::String(id)),
                        None => batch.deletes.push((collection, vec![Bson::String(id)])),
                    }
                }
            }
        }
        Ok(batch)
    }

    /// The collections the batch puts documents into (once or more each).
    pub(super) fn put_collections(&self) -> impl Iterator<Item = &CollectionName> {
        self.puts.iter().map(|put| &put.collection)
    }
}

/// Applies a batch's writes on behalf of `projection`, each under `guard`.
pub(super) async fn apply(
    db: &Database,
    session: &mut ClientSession,
    projection: &str,
    batch: &Batch,
    guard: Guard,
) -> mongodb::error::Result<()> {
    for (collection, ids) in &batch.deletes {
        let mut filter = doc! { ID_FIELD: { "$in": ids.clone() } };
        filter.extend(guard.passes());
        read_model_collection(db, collection).delete_many(filter).session(&mut *session).await?;
    }
    for put in &batch.puts {
        let record = document_record(&put.id, projection, guard.position(), &put.fields);
        put_guarded(&read_model_collection(db, &put.collection), session, &put.id, record, guard).await?;
    }
    Ok(())
}

/// Upserts `record` unless the stored one fails `guard`:
/// `$replaceWith: {$cond: [stored position passes, the new record, the stored one]}`.
/// `$literal` keeps the document's own strings and keys (`"$x"`, `{"$a": 1}`) from
/// being read as expressions.
async fn put_guarded(
    records: &Collection<Document>,
    session: &mut ClientSession,
    id: &str,
    record: Document,
    guard: Guard,
) -> mongodb::error::Result<()> {
    let filter = doc! { ID_FIELD: id };
    let stored_position = doc! { "$ifNull": [format!("${POSITION_FIELD}"), -1_i64] };
    let replace = doc! {
        "$replaceWith": {
            "$cond": {
                "if": { guard.operator(): [stored_position, guard.position()] },
                "then": { "$literal": record },
                "else": "$$ROOT",
            }
        }
    };
    records.update_one(filter, vec![replace]).upsert(true).session(session).await?;
    Ok(())
}

/// The filter selecting a projection's checkpoint.
pub(super) fn checkpoint_filter(projection: &str) -> Document {
    doc! { ID_FIELD: projection }
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
    let filter = doc! { ID_FIELD: projection, "position": { "$lt": position } };
    let update = doc! { "$set": { "position": position, "updated_at": mongodb::bson::DateTime::now() } };
    match checkpoints.update_one(filter, update).upsert(true).session(session).await {
        Ok(_) => Ok(true),
        Err(error) if is_duplicate_key(&error) => Ok(false),
        Err(error) => Err(error),
    }
}

/// What a reset deletes: every record of the listed collections, and the records
/// `projection` wrote in the others.
#[derive(Debug)]
pub(super) struct ResetScope<'a> {
    /// The projection being reset.
    pub(super) projection: &'a str,
    /// The collections emptied whole.
    pub(super) listed: &'a [CollectionName],
    /// The other read-model collections of the database.
    pub(super) others: &'a [CollectionName],
}

/// Deletes the records in `scope`, then the projection's checkpoint: in this order, so
/// that without a transaction an interrupted reset leaves the checkpoint in place
/// (and is simply run again) rather than old records whose positions would fence off
/// the rebuild's writes.
pub(super) async fn reset(
    db: &Database,
    checkpoints: &Collection<Document>,
    session: &mut ClientSession,
    scope: &ResetScope<'_>,
) -> mongodb::error::Result<()> {
    for collection in scope.listed {
        read_model_collection(db, collection).delete_many(doc! {}).session(&mut *session).await?;
    }
    for collection in scope.others {
        read_model_collection(db, collection)
            .delete_many(doc! { PROJECTION_FIELD: scope.projection })
            .session(&mut *session)
            .await?;
    }
    checkpoints.delete_one(checkpoint_filter(scope.projection)).session(session).await?;
    Ok(())
}
