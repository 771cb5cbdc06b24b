//! The SQLite read store: the embedded default. Documents are JSON text queried with
//! `json_extract`; one file in WAL mode, created on open and migrated.

mod query;
mod sql;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::Value;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use super::error::{to_i64, to_u64};
use super::write::last_write_wins;
use super::{DocWrite, Page, Query, ReadStore, ReadStoreError};

/// A [`ReadStore`] in one SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteReadStore {
    pool: SqlitePool,
    /// Taken by this process's writers before `BEGIN IMMEDIATE`. SQLite admits one
    /// writer at a time, and a writer that finds the lock taken waits in SQLite's busy
    /// handler, which sleeps 1, 2, 5, 10, 15, 20… ms between tries: with seven
    /// projectors committing the same event, the last one slept ~50 ms after the lock
    /// was long free (`bench freshness`: p99 ack → read 55 ms). Queued here, each
    /// writer starts the moment the previous one commits; other processes sharing the
    /// file still meet the busy handler.
    writer: Arc<tokio::sync::Mutex<()>>,
}

impl SqliteReadStore {
    /// Opens (creating it and its directory if needed) and migrates the file at `path`.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, ReadStoreError> {
        let path = path.as_ref();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| ReadStoreError::Io {
                context: format!("creating read store directory {}", dir.display()),
                source,
            })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(ReadStoreError::db(format!("opening SQLite read store {}", path.display())))?;
        let mut migrator = sqlx::migrate!("./migrations/read_store/sqlite");
        // Other components' migrations may live in the same file.
        migrator.set_ignore_missing(true);
        migrator.run(&pool).await.map_err(|source| ReadStoreError::Migrate {
            context: format!("migrating SQLite read store {}", path.display()),
            source,
        })?;
        Ok(Self { pool, writer: Arc::new(tokio::sync::Mutex::new(())) })
    }

    /// The underlying pool (for diagnostics and tests).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

#[async_trait]
impl ReadStore for SqliteReadStore {
    async fn get(&self, collection: &str, id: &str) -> Result<Option<Value>, ReadStoreError> {
        let context = || format!("reading document {collection}/{id}");
        let text = sql::get_document(&self.pool, collection, id).await.map_err(ReadStoreError::db(context()))?;
        text.map(|t| serde_json::from_str(&t).map_err(ReadStoreError::json(context()))).transpose()
    }

    async fn query(&self, collection: &str, query: &Query) -> Result<Page, ReadStoreError> {
        let checked = query.checked()?;
        let context = || format!("querying collection {collection}");
        let mut tx = self.pool.begin().await.map_err(ReadStoreError::db(context()))?;
        let total = query::count(&mut tx, collection, &checked).await.map_err(ReadStoreError::db(context()))?;
        let rows = query::page(&mut tx, collection, &checked).await.map_err(ReadStoreError::db(context()))?;
        tx.commit().await.map_err(ReadStoreError::db(context()))?;
        let items = rows
            .iter()
            .map(|t| serde_json::from_str(t).map_err(ReadStoreError::json(context())))
            .collect::<Result<_, _>>()?;
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
        // IMMEDIATE takes the write lock up front, so a concurrent writer waits
        // (busy_timeout) instead of failing on a read-to-write upgrade.
        let _writer = self.writer.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(ReadStoreError::db(context()))?;
        if !sql::advance_checkpoint(&mut tx, projection, at).await.map_err(ReadStoreError::db(context()))? {
            tx.rollback().await.map_err(ReadStoreError::db(context()))?;
            return Ok(false);
        }
        apply_writes(&mut tx, projection, writes, at, &context()).await?;
        tx.commit().await.map_err(ReadStoreError::db(context()))?;
        Ok(true)
    }

    async fn write(&self, projection: &str, writes: Vec<DocWrite>) -> Result<(), ReadStoreError> {
        let context = || format!("writing documents of {projection} outside a batch");
        let _writer = self.writer.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(ReadStoreError::db(context()))?;
        let at = sql::checkpoint(&mut *tx, projection).await.map_err(ReadStoreError::db(context()))?.unwrap_or(0);
        apply_writes(&mut tx, projection, writes, at, &context()).await?;
        tx.commit().await.map_err(ReadStoreError::db(context()))?;
        Ok(())
    }

    async fn reset(&self, projection: &str, collections: &[&str]) -> Result<(), ReadStoreError> {
        let context = || format!("resetting projection {projection}");
        let collections = serde_json::to_string(collections).map_err(ReadStoreError::json(context()))?;
        let _writer = self.writer.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(ReadStoreError::db(context()))?;
        sql::delete_projection_documents(&mut tx, projection, &collections)
            .await
            .map_err(ReadStoreError::db(context()))?;
        sql::delete_checkpoint(&mut tx, projection).await.map_err(ReadStoreError::db(context()))?;
        tx.commit().await.map_err(ReadStoreError::db(context()))?;
        Ok(())
    }
}

/// Applies a batch's writes (the last per document) inside `tx`, at position `at`.
///
/// The last write per document leaves distinct keys, so their order no longer
/// matters: puts go in multi-row upserts, which cut a rebuild's round trips to
/// SQLite's thread (one per document before) by two orders of magnitude.
async fn apply_writes(
    tx: &mut sqlx::SqliteConnection,
    projection: &str,
    writes: Vec<DocWrite>,
    at: i64,
    context: &str,
) -> Result<(), ReadStoreError> {
    let mut puts = Vec::new();
    for write in last_write_wins(writes) {
        match write {
            DocWrite::Put { collection, id, doc } => {
                let text = serde_json::to_string(&doc)
                    .map_err(ReadStoreError::json(format!("serializing document {collection}/{id}")))?;
                puts.push((collection, id, text));
            }
            DocWrite::Delete { collection, id } => {
                sql::delete_document(tx, &collection, &id)
                    .await
                    .map_err(ReadStoreError::db(format!("{context}: deleting {collection}/{id}")))?;
            }
        }
    }
    for chunk in puts.chunks(sql::UPSERT_ROWS) {
        sql::upsert_documents(tx, projection, chunk, at).await.map_err(ReadStoreError::db(format!(
            "{context}: writing {} documents from {}/{}",
            chunk.len(),
            chunk[0].0,
            chunk[0].1
        )))?;
    }
    Ok(())
}
