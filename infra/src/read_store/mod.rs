//! The read store port: JSON documents grouped in collections, keyed by string id,
//! written only by projections together with their checkpoint.
//!
//! Layout:
//! - [`ReadStore`]: the port every adapter implements;
//! - [`Query`], [`Page`]: filters, ranges, text search, sort and paging;
//! - [`DocWrite`]: one document change in a projection batch;
//! - [`ReadStoreError`]: what can go wrong, with context;
//! - [`CachedReadStore`]: documents by id from memory, in front of any adapter;
//! - adapters: [`sqlite::SqliteReadStore`] (embedded default) and
//!   [`postgres::PostgresReadStore`]; both pass `tests/tests/read_store.rs`;
//! - `mongodb::MongoReadStore` (cargo feature `mongodb`), which passes it too.
//!
//! At-least-once delivery is handled here: [`ReadStore::commit`] applies a batch only
//! if its position is past the projection's stored checkpoint, and writes both in one
//! transaction, so a redelivered batch changes nothing.

mod cached;
mod error;
mod field;
#[cfg(feature = "mongodb")]
pub mod mongodb;
#[cfg(feature = "postgres")]
pub mod postgres;
mod query;
#[cfg(feature = "sqlite")]
pub mod sqlite;
mod write;

use async_trait::async_trait;
use serde_json::Value;

pub use cached::{CachedReadStore, DEFAULT_CAPACITY as DEFAULT_CACHE_CAPACITY};
pub use error::ReadStoreError;
pub use field::FieldPath;
pub use query::{
    CheckedQuery, DEFAULT_LIMIT, FieldValue, Filter, MAX_LIMIT, Page, Query, Range, Sort, SortDirection, TextSearch,
};
pub use write::DocWrite;

/// Where projections keep their documents and checkpoints; the read API queries it.
#[async_trait]
pub trait ReadStore: Send + Sync + 'static {
    /// One document by collection and id.
    async fn get(&self, collection: &str, id: &str) -> Result<Option<Value>, ReadStoreError>;

    /// Documents of a collection matching `query`, one page of them, and how many match.
    ///
    /// Field names are validated (`^[a-z_][a-z0-9_]*$` per dot-separated segment);
    /// a bad one fails with [`ReadStoreError::InvalidField`].
    async fn query(&self, collection: &str, query: &Query) -> Result<Page, ReadStoreError>;

    /// The last global position `projection` has applied (0 = none).
    async fn checkpoint(&self, projection: &str) -> Result<u64, ReadStoreError>;

    /// Applies `writes` and stores `position` as the checkpoint of `projection`, in one
    /// transaction.
    ///
    /// Does nothing and returns `false` when `position` is not past the stored
    /// checkpoint (a redelivery); returns `true` when the batch was applied. Several
    /// writes to the same document apply in order: the last one wins.
    async fn commit(&self, projection: &str, writes: Vec<DocWrite>, position: u64) -> Result<bool, ReadStoreError>;

    /// Applies `writes` on behalf of `projection` in one transaction without moving its
    /// checkpoint: an out-of-order redo of a parked message, or a mark on a parked entry.
    /// Documents written keep the stored checkpoint as their position.
    async fn write(&self, projection: &str, writes: Vec<DocWrite>) -> Result<(), ReadStoreError>;

    /// Deletes the documents of `projection` (and any document in `collections`) and
    /// its checkpoint, so it can be rebuilt from position 0.
    async fn reset(&self, projection: &str, collections: &[&str]) -> Result<(), ReadStoreError>;
}
