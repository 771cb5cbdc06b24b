//! SQLite event store: the embedded default, one file under the data dir.
//!
//! SQLite admits one writer at a time; every batch runs in `BEGIN IMMEDIATE`, which
//! takes the write lock up front, so positions numbered `head + 1 ..` inside it are
//! gap-free and commit in order, across processes too. Readers use WAL snapshots
//! and never block the writer.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::DateTime;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Executor, Row, SqliteConnection};
use tokio::sync::watch;
use uuid::Uuid;

use super::batch::{
    BatchKeys, CommandRow, EventRow, Lookup, LookupRow, TxOps, Unit, UnitResult, append_batch, recorded_outcome,
};
use super::group_commit::{BatchWriter, GroupCommit, now_micros};
use super::{AppendOutcome, AppendRequest, EventMetadata, EventStore, RecordedEvent, StoreError};

/// The event store in one SQLite file.
pub struct SqliteEventStore {
    readers: SqlitePool,
    writer: GroupCommit,
    head: watch::Receiver<u64>,
}

impl SqliteEventStore {
    /// Opens (creating if needed) the store at `path`, migrates it and starts the writer.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str("sqlite://")
            .map_err(StoreError::db("building SQLite options"))?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a committed append survives a power cut, not only a process crash.
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let context = format!("opening the event store at {}", path.display());
        let writer_pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await
            .map_err(StoreError::db(context.clone()))?;
        migrator().run(&writer_pool).await?;
        let readers = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.read_only(true))
            .await
            .map_err(StoreError::db(context))?;
        let position = head_position(&readers).await?;
        let (head_tx, head) = watch::channel(position);
        let writer = GroupCommit::start(Arc::new(SqliteBatchWriter { pool: writer_pool }), head_tx);
        Ok(Self { readers, writer, head })
    }
}

fn migrator() -> sqlx::migrate::Migrator {
    let mut migrator = sqlx::migrate!("./migrations/event_store/sqlite");
    migrator.set_ignore_missing(true);
    migrator
}

async fn head_position(pool: &SqlitePool) -> Result<u64, StoreError> {
    let position: Option<i64> = sqlx::query_scalar("SELECT max(global_position) FROM events")
        .fetch_one(pool)
        .await
        .map_err(StoreError::db("reading the head position"))?;
    Ok(position.unwrap_or(0) as u64)
}

const SELECT_COLUMNS: &str = "SELECT global_position, event_id, stream_id, stream_version, event_type, schema_version, \
     data, metadata, recorded_at, prev_hash, hash FROM events";

fn decode_row(row: &SqliteRow) -> Result<RecordedEvent, StoreError> {
    let position: i64 = row.try_get("global_position").map_err(StoreError::db("decoding an event row"))?;
    let corrupt = |reason: String| StoreError::Corrupt { position, reason };
    let get_err = |e: sqlx::Error| corrupt(e.to_string());
    let data: String = row.try_get("data").map_err(get_err)?;
    let metadata: String = row.try_get("metadata").map_err(get_err)?;
    let micros: i64 = row.try_get("recorded_at").map_err(get_err)?;
    let stream_version: i64 = row.try_get("stream_version").map_err(get_err)?;
    let schema_version: i64 = row.try_get("schema_version").map_err(get_err)?;
    Ok(RecordedEvent {
        event_id: row.try_get("event_id").map_err(get_err)?,
        stream_id: row.try_get("stream_id").map_err(get_err)?,
        stream_version: stream_version as u64,
        global_position: position as u64,
        event_type: row.try_get("event_type").map_err(get_err)?,
        schema_version: schema_version as u32,
        data: serde_json::from_str(&data).map_err(|e| corrupt(format!("data: {e}")))?,
        metadata: serde_json::from_str::<EventMetadata>(&metadata).map_err(|e| corrupt(format!("metadata: {e}")))?,
        recorded_at: DateTime::from_timestamp_micros(micros)
            .ok_or_else(|| corrupt(format!("recorded_at {micros} out of range")))?,
        prev_hash: row.try_get("prev_hash").map_err(get_err)?,
        hash: row.try_get("hash").map_err(get_err)?,
    })
}

#[async_trait]
impl EventStore for SqliteEventStore {
    #[tracing::instrument(skip_all, fields(stream_id = %request.stream_id, events = request.events.len()))]
    async fn append(&self, request: AppendRequest) -> Result<AppendOutcome, StoreError> {
        self.writer.append(request).await
    }

    #[tracing::instrument(skip_all, fields(streams = requests.len()))]
    async fn append_all(&self, requests: Vec<AppendRequest>) -> Result<Vec<AppendOutcome>, StoreError> {
        self.writer.append_all(requests).await
    }

    async fn read_stream(
        &self,
        stream_id: &str,
        from_version: u64,
        max: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let rows = sqlx::query(&format!(
            "{SELECT_COLUMNS} WHERE stream_id = ?1 AND stream_version >= ?2 ORDER BY stream_version LIMIT ?3"
        ))
        .bind(stream_id)
        .bind(from_version as i64)
        .bind(max.min(i64::MAX as usize) as i64)
        .fetch_all(&self.readers)
        .await
        .map_err(StoreError::db(format!("reading stream {stream_id}")))?;
        rows.iter().map(decode_row).collect()
    }

    async fn read_all(&self, after: u64, max: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        let rows =
            sqlx::query(&format!("{SELECT_COLUMNS} WHERE global_position > ?1 ORDER BY global_position LIMIT ?2"))
                .bind(after as i64)
                .bind(max.min(i64::MAX as usize) as i64)
                .fetch_all(&self.readers)
                .await
                .map_err(StoreError::db(format!("reading the log after {after}")))?;
        rows.iter().map(decode_row).collect()
    }

    async fn head_position(&self) -> Result<u64, StoreError> {
        head_position(&self.readers).await
    }

    async fn command_outcome(&self, command_id: Uuid) -> Result<Option<AppendOutcome>, StoreError> {
        let row: Option<(i64, i64, i64)> = sqlx::query_as(
            "SELECT stream_version, first_position, last_position FROM command_log WHERE command_id = ?1",
        )
        .bind(command_id)
        .fetch_optional(&self.readers)
        .await
        .map_err(StoreError::db(format!("looking up command {command_id}")))?;
        Ok(row.map(recorded_outcome))
    }

    fn head_watch(&self) -> watch::Receiver<u64> {
        self.head.clone()
    }
}

/// Runs batches in `BEGIN IMMEDIATE` transactions on the single writer connection, in
/// two calls to SQLite's thread: `BEGIN IMMEDIATE` with the batch's lookups, then its
/// inserts with `COMMIT` (one multi-statement query each; `?NNN` parameters let the
/// statements of one query share its arguments).
struct SqliteBatchWriter {
    pool: SqlitePool,
}

impl BatchWriter for SqliteBatchWriter {
    async fn write_batch(&self, units: &[Unit<'_>]) -> Result<Vec<UnitResult>, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(StoreError::db("acquiring the writer connection"))?;
        let written = append_batch(&mut SqliteTx { conn: &mut conn }, units, now_micros(), None).await;
        if written.is_err() && conn.execute("ROLLBACK").await.is_err() {
            // Still inside the transaction, or unsure: never hand this connection out again.
            conn.close_on_drop();
        }
        written
    }
}

/// The lock and the head and the batch's lookups, each part tagged by its first
/// column. The keys come as JSON arrays (ids in hex), so the statement text is fixed
/// (prepared once) and no batch runs into SQLite's bound-parameter limit.
const LOOKUP: &str = "BEGIN IMMEDIATE; \
SELECT * FROM (SELECT 'h', NULL, hash, global_position, 0, 0 FROM events ORDER BY global_position DESC LIMIT 1) \
UNION ALL SELECT 'c', command_id, NULL, stream_version, first_position, last_position \
   FROM command_log WHERE command_id IN (SELECT unhex(value) FROM json_each(?1)) \
UNION ALL SELECT 'e', event_id, NULL, global_position, stream_version, 0 \
   FROM events WHERE event_id IN (SELECT unhex(value) FROM json_each(?2)) \
UNION ALL SELECT 's', NULL, value, (SELECT max(stream_version) FROM events WHERE stream_id = value), 0, 0 \
   FROM json_each(?3)";

/// Every row of a batch and the commit, one query: the rows come as JSON arrays of
/// arrays (ids in hex, times in microseconds), in the columns' order.
const INSERT_AND_COMMIT: &str = "\
INSERT INTO events (global_position, event_id, stream_id, stream_version, event_type, schema_version, \
                    data, metadata, recorded_at, prev_hash, hash) \
SELECT value ->> 0, unhex(value ->> 1), value ->> 2, value ->> 3, value ->> 4, value ->> 5, \
       value ->> 6, value ->> 7, value ->> 8, value ->> 9, value ->> 10 FROM json_each(?1); \
INSERT INTO command_log (command_id, stream_id, stream_version, first_position, last_position, recorded_at) \
SELECT unhex(value ->> 0), value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5 FROM json_each(?2); \
COMMIT";

/// A JSON array of ids in hex, as [`LOOKUP`] takes them.
fn hex_ids(ids: &[Uuid]) -> String {
    serde_json::to_string(&ids.iter().map(|id| id.simple().to_string()).collect::<Vec<_>>()).unwrap_or_default()
}

/// The event store's SQL on one SQLite connection.
struct SqliteTx<'c> {
    conn: &'c mut SqliteConnection,
}

impl TxOps for SqliteTx<'_> {
    async fn lookup(&mut self, keys: &BatchKeys) -> Result<Lookup, StoreError> {
        let rows: Vec<LookupRow> = sqlx::query_as(LOOKUP)
            .bind(hex_ids(&keys.command_ids))
            .bind(hex_ids(&keys.event_ids))
            .bind(serde_json::to_string(&keys.stream_ids).unwrap_or_default())
            .fetch_all(&mut *self.conn)
            .await
            .map_err(StoreError::db("looking up the batch's commands, events and streams"))?;
        Lookup::from_rows(rows)
    }

    async fn commit(&mut self, events: &[EventRow], commands: &[CommandRow]) -> Result<(), StoreError> {
        let events: Vec<serde_json::Value> = events
            .iter()
            .map(|row| {
                serde_json::json!([
                    row.global_position,
                    row.event_id.simple().to_string(),
                    row.stream_id,
                    row.stream_version,
                    row.event_type,
                    row.schema_version,
                    row.data,
                    row.metadata,
                    row.recorded_at.timestamp_micros(),
                    row.prev_hash,
                    row.hash,
                ])
            })
            .collect();
        let commands: Vec<serde_json::Value> = commands
            .iter()
            .map(|row| {
                serde_json::json!([
                    row.command_id.simple().to_string(),
                    row.stream_id,
                    row.outcome.stream_version,
                    row.outcome.first_position,
                    row.outcome.last_position,
                    row.recorded_at.timestamp_micros(),
                ])
            })
            .collect();
        sqlx::query(INSERT_AND_COMMIT)
            .bind(serde_json::Value::Array(events).to_string())
            .bind(serde_json::Value::Array(commands).to_string())
            .execute(&mut *self.conn)
            .await
            .map_err(StoreError::db("inserting and committing events"))?;
        Ok(())
    }
}
