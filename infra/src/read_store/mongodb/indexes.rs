//! Read-model collections made ready for writes: created with their indexes the first
//! time this store writes to them, before and outside the unit of work.

use std::collections::HashSet;

use mongodb::Database;
use tokio::sync::Mutex;

use super::collection_name::CollectionName;
use super::error::mongo;
use super::records::{document_indexes, read_model_collection};
use crate::read_store::ReadStoreError;

/// The collections this store (and its clones) has already prepared.
///
/// `createIndexes` creates a missing collection, is idempotent, and cannot run inside
/// a transaction on a collection that holds data; so it runs once per collection per
/// store, before the first unit of work that writes there. A transaction then never
/// has to create a collection (which servers before 4.4 cannot do), unless one is
/// dropped under a running store: it is then created implicitly, without indexes
/// until the next process prepares it.
#[derive(Debug, Default)]
pub(super) struct PreparedCollections(Mutex<HashSet<CollectionName>>);

impl PreparedCollections {
    /// Creates each of `collections` not prepared yet, with its indexes.
    pub(super) async fn prepare<'c>(
        &self,
        db: &Database,
        collections: impl IntoIterator<Item = &'c CollectionName>,
    ) -> Result<(), ReadStoreError> {
        // Held across the builds, so concurrent first writers to a collection build
        // its indexes once and the others wait for them.
        let mut prepared = self.0.lock().await;
        for collection in collections {
            if prepared.contains(collection) {
                continue;
            }
            read_model_collection(db, collection)
                .create_indexes(document_indexes())
                .await
                .map_err(mongo(format!("creating collection {collection} and its indexes in MongoDB")))?;
            prepared.insert(collection.clone());
        }
        Ok(())
    }
}
