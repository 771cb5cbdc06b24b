//! Fresh stores for one run: a temporary data dir, and for PostgreSQL a database of
//! its own on the given server, dropped afterwards.

use anyhow::Context;
use sqlx::{Connection, Executor, PgConnection};

use crate::config::StoreArgs;

/// Which database a scenario runs on, from `--store`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// The embedded default: SQLite files in a temporary data dir.
    Sqlite,
    /// A PostgreSQL server (its URL names the database used to create scratch ones).
    Postgres(String),
}

impl std::str::FromStr for Backend {
    type Err = String;
    fn from_str(spec: &str) -> Result<Self, String> {
        match spec.trim() {
            "sqlite" => Ok(Self::Sqlite),
            url if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Ok(Self::Postgres(url.to_owned()))
            }
            other => Err(format!("expected `sqlite` or a postgres:// URL, not {other:?}")),
        }
    }
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sqlite => f.write_str("SQLite"),
            Self::Postgres(_) => f.write_str("PostgreSQL"),
        }
    }
}

/// A temporary data dir and, on PostgreSQL, a scratch database; [`Scratch::remove`] drops both.
#[derive(Debug)]
pub struct Scratch {
    /// The data dir (SQLite files, the token secret, mail).
    pub dir: tempfile::TempDir,
    /// The scratch database's URL, on PostgreSQL.
    pub database: Option<String>,
    server: Option<String>,
    name: String,
}

impl Scratch {
    /// A fresh data dir, and on PostgreSQL a fresh database `emporium_bench_<uuid>`.
    pub async fn create(backend: &Backend) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir().context("creating a temporary data dir")?;
        let name = format!("emporium_bench_{}", uuid::Uuid::now_v7().simple());
        let Backend::Postgres(server) = backend else {
            return Ok(Self { dir, database: None, server: None, name });
        };
        let mut connection =
            PgConnection::connect(server).await.with_context(|| format!("connecting to PostgreSQL at {server}"))?;
        connection
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .with_context(|| format!("creating {name}"))?;
        let base = server.rsplit_once('/').map_or(server.as_str(), |(base, _)| base);
        Ok(Self { dir, database: Some(format!("{base}/{name}")), server: Some(server.clone()), name })
    }

    /// The store flags of Emporium's own stores here: all SQLite in the data dir, or
    /// all in the scratch database.
    pub fn store_args(&self) -> StoreArgs {
        let spec = self.database.clone().unwrap_or_else(|| "sqlite".to_owned());
        StoreArgs {
            data_dir: self.dir.path().to_path_buf(),
            event_store: spec.clone(),
            read_store: spec.clone(),
            account_store: spec,
            state_store: None,
        }
    }

    /// The same as command-line flags, for `serve`.
    pub fn store_flags(&self) -> Vec<String> {
        let mut flags = vec!["--data-dir".to_owned(), self.dir.path().display().to_string()];
        if let Some(url) = &self.database {
            for flag in ["--event-store", "--read-store", "--account-store"] {
                flags.extend([flag.to_owned(), url.clone()]);
            }
        }
        flags
    }

    /// The durability settings of the event store here.
    pub async fn durability(&self) -> anyhow::Result<String> {
        match &self.database {
            Some(url) => super::durability::postgres(url).await,
            None => super::durability::sqlite_file(&self.dir.path().join("events.db")).await,
        }
    }

    /// Drops the scratch database (closing what still uses it) and the data dir.
    pub async fn remove(self) -> anyhow::Result<()> {
        if let Some(server) = &self.server {
            let mut connection =
                PgConnection::connect(server).await.context("connecting to drop a scratch database")?;
            connection
                .execute(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name).as_str())
                .await
                .with_context(|| format!("dropping {}", self.name))?;
        }
        Ok(())
    }
}
