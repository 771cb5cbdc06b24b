//! Event stores on both adapters, so one suite runs against each.

use std::path::PathBuf;
use std::sync::Arc;

use emporium_infra::event_store::postgres::PostgresEventStore;
use emporium_infra::event_store::sqlite::SqliteEventStore;
use emporium_infra::event_store::{EventMetadata, EventStore, NewEvent};

use crate::postgres::TestDatabase;

/// Where a test's events live; `open` may be called several times to get several
/// independent store instances (own pools, own writer tasks) over the same data,
/// as several processes would.
#[derive(Debug)]
pub enum StoreBackend {
    /// A SQLite file in a temporary directory.
    Sqlite(tempfile::TempDir),
    /// A fresh PostgreSQL database.
    Postgres(TestDatabase),
}

impl StoreBackend {
    /// An empty SQLite store location.
    pub fn sqlite() -> anyhow::Result<Self> {
        Ok(Self::Sqlite(tempfile::tempdir()?))
    }

    /// An empty PostgreSQL database.
    pub async fn postgres() -> anyhow::Result<Self> {
        Ok(Self::Postgres(TestDatabase::create().await?))
    }

    /// The SQLite file path, if this is SQLite.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        match self {
            Self::Sqlite(dir) => Some(dir.path().join("events.db")),
            Self::Postgres(_) => None,
        }
    }

    /// Opens a new store instance over this backend's data.
    pub async fn open(&self) -> anyhow::Result<Arc<dyn EventStore>> {
        Ok(match self {
            Self::Sqlite(dir) => Arc::new(SqliteEventStore::open(&dir.path().join("events.db")).await?),
            Self::Postgres(db) => Arc::new(PostgresEventStore::connect(&db.url).await?),
        })
    }
}

/// A test event with a fresh UUIDv7 and a small payload.
pub fn event(event_type: &str, n: u64) -> NewEvent {
    NewEvent {
        event_id: uuid::Uuid::now_v7(),
        event_type: event_type.to_owned(),
        schema_version: 1,
        data: serde_json::json!({ "n": n, "note": "héllo \"quoted\"", "nested": { "b": 2, "a": [1, 2.5, null] } }),
        metadata: EventMetadata { actor: Some("test".into()), ..EventMetadata::default() },
    }
}
