//! The database's own ceiling: one-row `INSERT`s, each its own committed transaction,
//! from N concurrent clients, on the same kind of database Emporium uses (a scratch
//! PostgreSQL table, or a SQLite file in WAL mode with synchronous=FULL).

use std::str::FromStr;
use std::time::{Duration, Instant};

use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, PgPool, SqlitePool};

use super::load::{Operation, Throughput, closed_loop};
use super::scratch::{Backend, Scratch};

/// A row about the size of an inventory event's data, so both sides write alike.
const PAYLOAD: &str = r#"{"sku":"BENCH-C0-S0","quantity":1,"on_hand":1,"available":1,"at":"2025-01-01T00:00:00Z"}"#;

/// The raw table, on one side of the comparison.
#[derive(Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// One client inserting rows, one autocommitted transaction each.
pub struct RawInsert {
    pool: Pool,
    client: usize,
}

impl Operation for RawInsert {
    async fn call(&mut self, scheduled: Instant) -> anyhow::Result<Vec<Duration>> {
        let stream = format!("raw-{}", self.client);
        match &self.pool {
            Pool::Sqlite(pool) => {
                sqlx::query("INSERT INTO raw_inserts (stream, data) VALUES (?, ?)")
                    .bind(stream)
                    .bind(PAYLOAD)
                    .execute(pool)
                    .await?;
            }
            Pool::Postgres(pool) => {
                sqlx::query("INSERT INTO raw_inserts (stream, data) VALUES ($1, $2::jsonb)")
                    .bind(stream)
                    .bind(PAYLOAD)
                    .execute(pool)
                    .await?;
            }
        }
        Ok(vec![scheduled.elapsed()])
    }
}

/// One raw run: `clients` clients for `duration` on a fresh table in `scratch`; also
/// returns the durability settings read on the connections that wrote.
pub async fn run(scratch: &Scratch, clients: usize, duration: Duration) -> anyhow::Result<(Throughput, String)> {
    let (pool, durability) = open(scratch, clients).await?;
    let workers = (0..clients).map(|client| RawInsert { pool: pool.clone(), client }).collect();
    let throughput = closed_loop(workers, duration).await?;
    match pool {
        Pool::Sqlite(pool) => pool.close().await,
        Pool::Postgres(pool) => pool.close().await,
    }
    Ok((throughput, durability))
}

async fn open(scratch: &Scratch, clients: usize) -> anyhow::Result<(Pool, String)> {
    let size = u32::try_from(clients).unwrap_or(u32::MAX);
    match &scratch.database {
        Some(url) => {
            // A queue of writers makes slow statements normal here; do not log each one.
            let options = PgConnectOptions::from_str(url)?.log_slow_statements(log::LevelFilter::Off, Duration::ZERO);
            let pool = PgPoolOptions::new()
                .max_connections(size)
                .connect_with(options)
                .await
                .context("connecting the raw pool")?;
            sqlx::query(
                "CREATE TABLE raw_inserts (id bigserial PRIMARY KEY, stream text NOT NULL, data jsonb NOT NULL)",
            )
            .execute(&pool)
            .await
            .context("creating the raw table")?;
            Ok((Pool::Postgres(pool), super::durability::postgres(url).await?))
        }
        None => {
            let options = SqliteConnectOptions::from_str("sqlite://")?
                .filename(scratch.dir.path().join("raw.db"))
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(30))
                .log_slow_statements(log::LevelFilter::Off, Duration::ZERO);
            let pool = SqlitePoolOptions::new()
                .max_connections(size)
                .connect_with(options)
                .await
                .context("opening the raw SQLite file")?;
            sqlx::query("CREATE TABLE raw_inserts (id INTEGER PRIMARY KEY, stream TEXT NOT NULL, data TEXT NOT NULL)")
                .execute(&pool)
                .await
                .context("creating the raw table")?;
            let mut connection = pool.acquire().await?;
            let durability = super::durability::sqlite_connection(&mut connection).await?;
            Ok((Pool::Sqlite(pool), format!("raw.db: {durability}")))
        }
    }
}

/// A fresh scratch store, one raw run on it, and its removal.
pub async fn fresh_run(backend: &Backend, clients: usize, duration: Duration) -> anyhow::Result<(Throughput, String)> {
    let scratch = Scratch::create(backend).await?;
    let result = run(&scratch, clients, duration).await;
    scratch.remove().await?;
    result
}
