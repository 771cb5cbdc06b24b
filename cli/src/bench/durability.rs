//! What each run states about durability, read from the database itself: SQLite's
//! journal mode and synchronous level, PostgreSQL's `fsync` and `synchronous_commit`.
//! An acknowledged write must be durable, so a setting that is off is flagged.

use std::path::Path;
use std::str::FromStr;

use anyhow::Context;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, PgConnection, SqliteConnection};

/// `PRAGMA synchronous` numbers as SQLite documents them.
fn synchronous_name(level: i64) -> &'static str {
    match level {
        0 => "OFF",
        1 => "NORMAL",
        2 => "FULL",
        3 => "EXTRA",
        _ => "unknown",
    }
}

/// The journal mode and synchronous level of an open SQLite connection.
pub async fn sqlite_connection(connection: &mut SqliteConnection) -> anyhow::Result<String> {
    let journal: String =
        sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&mut *connection).await.context("reading journal_mode")?;
    let synchronous: i64 =
        sqlx::query_scalar("PRAGMA synchronous").fetch_one(&mut *connection).await.context("reading synchronous")?;
    let flag = if journal.eq_ignore_ascii_case("wal") && synchronous >= 2 { "" } else { " — NOT DURABLE" };
    Ok(format!("journal_mode={journal} synchronous={}{flag}", synchronous_name(synchronous)))
}

/// The journal mode stored in a SQLite file. `synchronous` belongs to each
/// connection and cannot be read from another one; Emporium's SQLite stores set
/// FULL on theirs (`SqliteEventStore::open`).
pub async fn sqlite_file(path: &Path) -> anyhow::Result<String> {
    let options = SqliteConnectOptions::from_str("sqlite://")?.filename(path).read_only(true);
    let mut connection = SqliteConnection::connect_with(&options)
        .await
        .with_context(|| format!("opening {} to read its settings", path.display()))?;
    let journal: String =
        sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&mut connection).await.context("reading journal_mode")?;
    let flag = if journal.eq_ignore_ascii_case("wal") { "" } else { " — NOT WAL" };
    Ok(format!(
        "{}: journal_mode={journal}{flag} (synchronous is per connection: the store sets FULL)",
        file_name(path)
    ))
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |name| name.to_string_lossy().into_owned())
}

/// `fsync` and `synchronous_commit` as the PostgreSQL server at `url` reports them.
pub async fn postgres(url: &str) -> anyhow::Result<String> {
    let mut connection = PgConnection::connect(url).await.context("connecting to read fsync settings")?;
    let fsync: String = sqlx::query_scalar("SHOW fsync").fetch_one(&mut connection).await.context("SHOW fsync")?;
    let commit: String = sqlx::query_scalar("SHOW synchronous_commit")
        .fetch_one(&mut connection)
        .await
        .context("SHOW synchronous_commit")?;
    let flag = if fsync == "on" && commit == "on" { "" } else { " — NOT DURABLE" };
    Ok(format!("PostgreSQL fsync={fsync} synchronous_commit={commit}{flag}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_wal_full_connection_reads_as_durable_and_a_relaxed_one_is_flagged() {
        let dir = tempfile::tempdir().unwrap();
        let options = SqliteConnectOptions::from_str("sqlite://")
            .unwrap()
            .filename(dir.path().join("t.db"))
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .synchronous(sqlx::sqlite::SqliteSynchronous::Full);
        let mut connection = SqliteConnection::connect_with(&options).await.unwrap();
        assert_eq!(sqlite_connection(&mut connection).await.unwrap(), "journal_mode=wal synchronous=FULL");
        sqlx::query("PRAGMA synchronous = NORMAL").execute(&mut connection).await.unwrap();
        assert!(sqlite_connection(&mut connection).await.unwrap().ends_with("NOT DURABLE"));
        assert!(sqlite_file(&dir.path().join("t.db")).await.unwrap().starts_with("t.db: journal_mode=wal ("));
    }
}
