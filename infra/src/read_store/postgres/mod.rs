//! The PostgreSQL read store: documents as JSONB in `rm_` tables, so it can share a
//! database with the event store.

mod query;
mod sql;

use std::time::Duration;

use async_trait::async_trait;
use serde_json::Value;
use sqlx::postgres::{PgPool, PgPoolOptions};

use super::error::{to_i64, to_u64};
use super::write::last_write_wins;
use super::{DocWrite, Page, Query, ReadStore, ReadStoreError};

/// Opens a projection batch's transaction, which commits without waiting for its WAL
/// flush. A read model is derived from the log and its checkpoint commits with its
/// documents, so a crash can only take back whole batches, checkpoint and all, and the
/// projector applies them again (a JetStream feed, too, starts from the stored
/// checkpoint). The SQLite read store makes the same trade with `synchronous=NORMAL`.
/// Seven projectors each waiting out a flush per batch cost the shop on PostgreSQL.
const BEGIN_BATCH: &str = "BEGIN; SET LOCAL synchronous_commit = off";

/// A [`ReadStore`] in PostgreSQL.
#[derive(Debug, Clone)]
pub struct PostgresReadStore {
    pool: PgPool,
}

impl PostgresReadStore {
    /// Connects to `url` and applies the read store's migrations.
    pub async fn connect(url: &str) -> Result<Self, ReadStoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(6)
            .idle_timeout(Duration::from_secs(60))
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await
            .map_err(ReadStoreError::db("connecting to the PostgreSQL read store"))?;
        Self::with_pool(pool).await
    }

    /// Uses an existing pool (e.g. the event store's) and applies the migrations.
    pub async fn with_pool(pool: PgPool) -> Result<Self, ReadStoreError> {
        let mut migrator = sqlx::migrate!("./migrations/read_store/postgres");
        // The event store's migrations share `_sqlx_migrations` in the same database.
        migrator.set_ignore_missing(true);
        migrator.run(&pool).await.map_err(|source| ReadStoreError::Migrate {
            context: "migrating the PostgreSQL read store".to_owned(),
            source,
        })?;
        Ok(Self { pool })
    }

    /// The underlying pool (for diagnostics and tests).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

#[async_trait]
impl ReadStore for PostgresReadStore {
    async fn get(&self, collection: &str, id: &str) -> Result<Option<Value>, ReadStoreError> {
        sql::get_document(&self.pool, collection, id)
            .await
            .map_err(ReadStoreError::db(format!("reading document {collection}/{id}")))
    }

    async fn query(&self, collection: &str, query: &Query) -> Result<Page, ReadStoreError> {
        let checked = query.checked()?;
        let context = || format!("querying collection {collection}");
        // One snapshot for the count and the page, so `total` agrees with `items`.
        let mut tx = self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await
            .map_err(ReadStoreError::db(context()))?;
        let total = query::count(&mut tx, collection, &checked).await.map_err(ReadStoreError::db(context()))?;
        let items = query::page(&mut tx, collection, &checked).await.map_err(ReadStoreError::db(context()))?;
        tx.commit().await.map_err(ReadStoreError::db(context()))?;
        Ok(Page { items, total: to_u64(total, "document count")? })
    }

    async fn checkpoint(&self, projection: &str) -> Result<u64, ReadStoreError> {
        let position = sql::checkpoint(&self.pool, projection)
            .await
            .map_err(ReadStoreError::db(format!("reading checkpoint of projection {projection}")))?;
        to_u64(position.unwrap_or(0), "checkpoint")
    }

    async fn commit(&self, projection: &str, writes: Vec<DocWrite>, position: u64) -> Result<bool, ReadStoreError> {
        if position == 0 {
            return Ok(false);
        }
        let context = || format!("committing batch of projection {projection} at position {position}");
        let at = to_i64(position, "checkpoint position")?;
        let (puts, deletes) = split_writes(writes)?;
        let mut tx = self.pool.begin_with(BEGIN_BATCH).await.map_err(ReadStoreError::db(context()))?;
        // The checkpoint row lock serializes concurrent commits of one projection.
        if !sql::advance_checkpoint(&mut tx, projection, at).await.map_err(ReadStoreError::db(context()))? {
            tx.rollback().await.map_err(ReadStoreError::db(context()))?;
            return Ok(false);
        }
        // After last-write-wins each document has one write, so order does not matter.
        sql::delete_documents(&mut tx, &deletes).await.map_err(ReadStoreError::db(context()))?;
        sql::upsert_documents(&mut tx, projection, &puts, at).await.map_err(ReadStoreError::db(context()))?;
        tx.commit().await.map_err(ReadStoreError::db(context()))?;
        Ok(true)
    }

    async fn write(&self, projection: &str, writes: Vec<DocWrite>) -> Result<(), ReadStoreError> {
        let context = || format!("writing documents of {projection} outside a batch");
        let (puts, deletes) = split_writes(writes)?;
        let mut tx = self.pool.begin().await.map_err(ReadStoreError::db(context()))?;
        let at = sql::checkpoint(&mut *tx, projection).await.map_err(ReadStoreError::db(context()))?.unwrap_or(0);
        sql::delete_documents(&mut tx, &deletes).await.map_err(ReadStoreError::db(context()))?;
        sql::upsert_documents(&mut tx, projection, &puts, at).await.map_err(ReadStoreError::db(context()))?;
        tx.commit().await.map_err(ReadStoreError::db(context()))?;
        Ok(())
    }

    async fn reset(&self, projection: &str, collections: &[&str]) -> Result<(), ReadStoreError> {
        let context = || format!("resetting projection {projection}");
        let collections: Vec<String> = collections.iter().map(|c| (*c).to_owned()).collect();
        let mut tx = self.pool.begin().await.map_err(ReadStoreError::db(context()))?;
        sql::delete_projection_documents(&mut tx, projection, &collections)
            .await
            .map_err(ReadStoreError::db(context()))?;
        sql::delete_checkpoint(&mut tx, projection).await.map_err(ReadStoreError::db(context()))?;
        tx.commit().await.map_err(ReadStoreError::db(context()))?;
        Ok(())
    }
}

/// The last write per document, as one upsert set and one delete set.
fn split_writes(writes: Vec<DocWrite>) -> Result<(sql::Puts, sql::Deletes), ReadStoreError> {
    let mut puts = sql::Puts::default();
    let mut deletes = sql::Deletes::default();
    for write in last_write_wins(writes) {
        match write {
            DocWrite::Put { collection, id, doc } => {
                let text = serde_json::to_string(&doc)
                    .map_err(ReadStoreError::json(format!("serializing document {collection}/{id}")))?;
                puts.push(collection, id, text);
            }
            DocWrite::Delete { collection, id } => deletes.push(collection, id),
        }
    }
    Ok((puts, deletes))
}
