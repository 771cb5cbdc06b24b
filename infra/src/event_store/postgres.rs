//! PostgreSQL event store (sqlx).
//!
//! Gap-free global order: every write transaction first takes one transaction-scoped
//! advisory lock, then numbers its events `head + 1 ..`. PostgreSQL makes a
//! transaction visible before it releases its locks, so the next writer (in this
//! process or any other) sees all earlier positions, and a reader that sees position
//! N has already been able to see every position below N. A plain sequence would
//! let N+1 commit before N and a tailing reader would skip N for ever.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::{Executor, PgConnection, Row};
use tokio::sync::watch;
use uuid::Uuid;

use super::batch::{
    BatchKeys, CommandRow, EventRow, Known, Lookup, LookupRow, TxOps, Unit, UnitResult, append_batch, recorded_outcome,
};
use super::group_commit::{BatchWriter, GroupCommit, now_micros};
use super::{AppendOutcome, AppendRequest, EventMetadata, EventStore, RecordedEvent, StoreError};

/// The advisory lock key every appender takes (ASCII "EMPORIUM" as an i64).
const APPEND_LOCK_KEY: i64 = 0x454D_504F_5249_554D;

/// The event store on PostgreSQL.
pub struct PostgresEventStore {
    pool: PgPool,
    writer: GroupCommit,
    head: watch::Receiver<u64>,
}

impl PostgresEventStore {
    /// Connects, runs the migrations and starts the writer task.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options: PgConnectOptions =
            url.parse().map_err(StoreError::db(format!("parsing PostgreSQL URL {}", redact(url))))?;
        // A deployment runs several processes against one server (100 connections by
        // default): each pool stays small and gives idle connections back.
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .idle_timeout(std::time::Duration::from_secs(60))
            .connect_with(options)
            .await
            .map_err(StoreError::db(format!("connecting to {}", redact(url))))?;
        Self::from_pool(pool).await
    }

    /// Uses an existing pool (migrations are run on it).
    pub async fn from_pool(pool: PgPool) -> Result<Self, StoreError> {
        migrator().run(&pool).await?;
        let position = head_position(&pool).await?;
        let (head_tx, head) = watch::channel(position);
        let writer =
            GroupCommit::start(Arc::new(PgBatchWriter { pool: pool.clone(), known: Default::default() }), head_tx);
        Ok(Self { pool, writer, head })
    }

    /// The pool, for callers that share the database (read store, command log).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

/// The event store's migrations; they share `_sqlx_migrations` with other components.
fn migrator() -> sqlx::migrate::Migrator {
    let mut migrator = sqlx::migrate!("./migrations/event_store/postgres");
    migrator.set_ignore_missing(true);
    migrator
}

/// Hides a password in a connection URL for error messages and logs.
pub(crate) fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

async fn head_position(pool: &PgPool) -> Result<u64, StoreError> {
    let position: Option<i64> = sqlx::query_scalar("SELECT max(global_position) FROM events")
        .fetch_one(pool)
        .await
        .map_err(StoreError::db("reading the head position"))?;
    Ok(position.unwrap_or(0) as u64)
}

const SELECT_COLUMNS: &str = "SELECT global_position, event_id, stream_id, stream_version, event_type, schema_version, \
     data::text AS data, metadata::text AS metadata, recorded_at, prev_hash, hash FROM events";

fn decode_row(row: &PgRow) -> Result<RecordedEvent, StoreError> {
    let position: i64 = row.try_get("global_position").map_err(StoreError::db("decoding an event row"))?;
    let corrupt = |reason: String| StoreError::Corrupt { position, reason };
    let get_err = |e: sqlx::Error| corrupt(e.to_string());
    let data: String = row.try_get("data").map_err(get_err)?;
    let metadata: String = row.try_get("metadata").map_err(get_err)?;
    let schema_version: i32 = row.try_get("schema_version").map_err(get_err)?;
    let stream_version: i64 = row.try_get("stream_version").map_err(get_err)?;
    let recorded_at: DateTime<Utc> = row.try_get("recorded_at").map_err(get_err)?;
    Ok(RecordedEvent {
        event_id: row.try_get("event_id").map_err(get_err)?,
        stream_id: row.try_get("stream_id").map_err(get_err)?,
        stream_version: stream_version as u64,
        global_position: position as u64,
        event_type: row.try_get("event_type").map_err(get_err)?,
        schema_version: schema_version as u32,
        data: serde_json::from_str(&data).map_err(|e| corrupt(format!("data: {e}")))?,
        metadata: serde_json::from_str::<EventMetadata>(&metadata).map_err(|e| corrupt(format!("metadata: {e}")))?,
        recorded_at,
        prev_hash: row.try_get("prev_hash").map_err(get_err)?,
        hash: row.try_get("hash").map_err(get_err)?,
    })
}

#[async_trait]
impl EventStore for PostgresEventStore {
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
            "{SELECT_COLUMNS} WHERE stream_id = $1 AND stream_version >= $2 ORDER BY stream_version LIMIT $3"
        ))
        .bind(stream_id)
        .bind(from_version as i64)
        .bind(max.min(i64::MAX as usize) as i64)
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::db(format!("reading stream {stream_id}")))?;
        rows.iter().map(decode_row).collect()
    }

    async fn read_all(&self, after: u64, max: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        let rows =
            sqlx::query(&format!("{SELECT_COLUMNS} WHERE global_position > $1 ORDER BY global_position LIMIT $2"))
                .bind(after as i64)
                .bind(max.min(i64::MAX as usize) as i64)
                .fetch_all(&self.pool)
                .await
                .map_err(StoreError::db(format!("reading the log after {after}")))?;
        rows.iter().map(decode_row).collect()
    }

    async fn head_position(&self) -> Result<u64, StoreError> {
        head_position(&self.pool).await
    }

    async fn command_outcome(&self, command_id: Uuid) -> Result<Option<AppendOutcome>, StoreError> {
        let row: Option<(i64, i64, i64)> = sqlx::query_as(
            "SELECT stream_version, first_position, last_position FROM command_log WHERE command_id = $1",
        )
        .bind(command_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(StoreError::db(format!("looking up command {command_id}")))?;
        Ok(row.map(recorded_outcome))
    }

    fn head_watch(&self) -> watch::Receiver<u64> {
        self.head.clone()
    }
}

/// Runs batches in PostgreSQL transactions under the append lock, in two round trips:
/// `BEGIN`, the lock and the batch's lookups in one simple query; its inserts and
/// `COMMIT` in another. (sqlx cannot pipeline prepared statements, and every round
/// trip is paid by every request of the batch.) The values travel as SQL literals,
/// quoted by [`literal`].
///
/// While this process is the only writer, a batch takes one round trip: it is decided
/// on what the writer knows ([`Known`]: the head it wrote, the versions of the streams
/// it touched) and committed with a guard that fails unless the log still ends there
/// ([`PgTx::commit_guessed`]). Another process's append, or a retried command, fails
/// the guard or a unique key, and that batch is looked up as above.
struct PgBatchWriter {
    pool: PgPool,
    /// Only the writer task uses it: never contended.
    known: tokio::sync::Mutex<Known>,
}

impl BatchWriter for PgBatchWriter {
    async fn write_batch(&self, units: &[Unit<'_>]) -> Result<Vec<UnitResult>, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(StoreError::db("acquiring a writer connection"))?;
        let mut known = self.known.lock().await;
        let written = append_batch(&mut PgTx { conn: &mut conn }, units, now_micros(), Some(&mut known)).await;
        if written.is_err() {
            // The transaction was opened by hand (sqlx does not track it): end it, or
            // make sure this connection never goes back to the pool inside it.
            if conn.execute("ROLLBACK").await.is_err() {
                conn.close_on_drop();
            }
        }
        written
    }
}

/// The event store's SQL on one PostgreSQL connection, inside a batch's transaction.
struct PgTx<'c> {
    conn: &'c mut PgConnection,
}

impl TxOps for PgTx<'_> {
    async fn lookup(&mut self, keys: &BatchKeys) -> Result<Lookup, StoreError> {
        let sql = format!(
            "BEGIN; SELECT pg_advisory_xact_lock({APPEND_LOCK_KEY}); \
             (SELECT 'h' AS kind, NULL::uuid AS id, hash AS text, global_position AS a, 0::int8 AS b, 0::int8 AS c \
                FROM events ORDER BY global_position DESC LIMIT 1) \
             UNION ALL SELECT 'c', command_id, NULL, stream_version, first_position, last_position \
                FROM command_log WHERE command_id = ANY({commands}) \
             UNION ALL SELECT 'e', event_id, NULL, global_position, stream_version, 0 \
                FROM events WHERE event_id = ANY({events}) \
             UNION ALL SELECT 's', NULL, s.id, v.stream_version, 0, 0 FROM unnest({streams}) AS s(id) \
                CROSS JOIN LATERAL (SELECT stream_version FROM events WHERE stream_id = s.id \
                                    ORDER BY stream_version DESC LIMIT 1) v",
            commands = uuid_array(&keys.command_ids),
            events = uuid_array(&keys.event_ids),
            streams = text_array(&keys.stream_ids)?,
        );
        // A plain string without arguments goes out as one simple query.
        let rows = self
            .conn
            .fetch_all(sql.as_str())
            .await
            .map_err(StoreError::db("looking up the batch's commands, events and streams"))?;
        // The lock's own row has one column; the lookup's rows have six.
        let rows = rows
            .iter()
            .filter(|row| row.len() == 6)
            .map(|row| {
                Ok((
                    row.try_get(0)?,
                    row.try_get(1)?,
                    row.try_get(2)?,
                    row.try_get(3)?,
                    row.try_get(4)?,
                    row.try_get(5)?,
                ))
            })
            .collect::<Result<Vec<LookupRow>, sqlx::Error>>()
            .map_err(StoreError::db("decoding the batch's lookups"))?;
        Lookup::from_rows(rows)
    }

    async fn commit(&mut self, events: &[EventRow], commands: &[CommandRow]) -> Result<(), StoreError> {
        let mut sql = inserts(events, commands)?;
        sql.push_str("COMMIT");
        self.conn.execute(sql.as_str()).await.map_err(StoreError::db("inserting and committing events"))?;
        Ok(())
    }

    async fn commit_guessed(
        &mut self,
        head: u64,
        events: &[EventRow],
        commands: &[CommandRow],
    ) -> Result<(), StoreError> {
        // The guard divides by zero unless the log ends exactly at `head`: the
        // statements after it do not run, and the transaction is rolled back below.
        // (The CASE reads a table, so the planner cannot fold the division early.)
        let mut sql = format!(
            "BEGIN; SELECT pg_advisory_xact_lock({APPEND_LOCK_KEY}); \
             SELECT 1 / (CASE WHEN (SELECT COALESCE(max(global_position), 0) FROM events) = {head} \
                              THEN 1 ELSE 0 END); "
        );
        sql.push_str(&inserts(events, commands)?);
        sql.push_str("COMMIT");
        if let Err(error) = self.conn.execute(sql.as_str()).await {
            if self.conn.execute("ROLLBACK").await.is_err() {
                return Err(StoreError::db("rolling back a refused guessed batch")(error));
            }
            return Err(StoreError::db("committing a guessed batch")(error));
        }
        Ok(())
    }
}

/// The batch's inserts as SQL text, each statement ending in `; `.
fn inserts(events: &[EventRow], commands: &[CommandRow]) -> Result<String, StoreError> {
    let mut sql = String::with_capacity(256 + events.iter().map(|r| r.data.len() + 400).sum::<usize>());
    push_insert(
        &mut sql,
        "INSERT INTO events (global_position, event_id, stream_id, stream_version, event_type, \
         schema_version, data, metadata, recorded_at, prev_hash, hash) VALUES ",
        events,
        |row| {
            Ok(format!(
                "({}, '{}', {}, {}, {}, {}, {}::jsonb, {}::jsonb, '{}', {}, {})",
                row.global_position,
                row.event_id,
                literal(&row.stream_id)?,
                row.stream_version,
                literal(&row.event_type)?,
                row.schema_version,
                literal(&row.data)?,
                literal(&row.metadata)?,
                timestamp(row.recorded_at),
                literal(&row.prev_hash)?,
                literal(&row.hash)?,
            ))
        },
    )?;
    push_insert(
        &mut sql,
        "INSERT INTO command_log (command_id, stream_id, stream_version, first_position, last_position, \
         recorded_at) VALUES ",
        commands,
        |row| {
            Ok(format!(
                "('{}', {}, {}, {}, {}, '{}')",
                row.command_id,
                literal(&row.stream_id)?,
                row.outcome.stream_version,
                row.outcome.first_position,
                row.outcome.last_position,
                timestamp(row.recorded_at),
            ))
        },
    )?;
    Ok(sql)
}

/// Appends `insert` with one `VALUES` tuple per row and `; `, unless there are no rows.
fn push_insert<T>(
    sql: &mut String,
    insert: &str,
    rows: &[T],
    tuple: impl Fn(&T) -> Result<String, StoreError>,
) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    sql.push_str(insert);
    for (i, row) in rows.iter().enumerate() {
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(&tuple(row)?);
    }
    sql.push_str("; ");
    Ok(())
}

/// A string as a PostgreSQL literal. The `E''` form reads the same whatever
/// `standard_conforming_strings` says: backslashes and quotes are doubled, and a NUL
/// (which no PostgreSQL text can hold) is refused.
fn literal(text: &str) -> Result<String, StoreError> {
    if text.contains('\0') {
        return Err(StoreError::Invalid("text with a NUL character cannot be stored".into()));
    }
    Ok(format!("E'{}'", text.replace('\\', "\\\\").replace('\'', "''")))
}

/// Ids as a `uuid[]` literal (hex digits and dashes only).
fn uuid_array(ids: &[Uuid]) -> String {
    let items: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    format!("'{{{}}}'::uuid[]", items.join(","))
}

/// Strings as a `text[]` of literals.
fn text_array(items: &[String]) -> Result<String, StoreError> {
    let items = items.iter().map(|item| literal(item)).collect::<Result<Vec<_>, _>>()?;
    Ok(format!("ARRAY[{}]::text[]", items.join(",")))
}

/// A timestamp literal, to the microsecond, in UTC.
fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn literals_survive_quotes_backslashes_and_either_string_setting() {
        assert_eq!(super::literal("it's").unwrap(), "E'it''s'");
        assert_eq!(super::literal(r"a\'b").unwrap(), r"E'a\\''b'");
        assert!(super::literal("nul\0").is_err());
        assert_eq!(super::text_array(&[]).unwrap(), "ARRAY[]::text[]");
        assert_eq!(super::uuid_array(&[]), "'{}'::uuid[]");
    }

    #[test]
    fn redact_hides_only_the_password() {
        assert_eq!(redact("postgres://u:secret@h:5432/db"), "postgres://u:***@h:5432/db");
        assert_eq!(redact("postgres://postgres@127.0.0.1/db"), "postgres://postgres@127.0.0.1/db");
    }
}
