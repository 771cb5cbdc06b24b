//! Turns storage flags into adapters.

use std::sync::Arc;

use anyhow::Context;
use emporium_infra::event_store::EventStore;
use emporium_infra::event_store::postgres::PostgresEventStore;
use emporium_infra::event_store::sqlite::SqliteEventStore;
use emporium_infra::read_store::ReadStore;
use emporium_infra::read_store::postgres::PostgresReadStore;
use emporium_infra::read_store::sqlite::SqliteReadStore;

use crate::config::StoreArgs;

/// Opens the event store the flags name.
pub async fn event_store(args: &StoreArgs) -> anyhow::Result<Arc<dyn EventStore>> {
    std::fs::create_dir_all(&args.data_dir).with_context(|| format!("creating the data directory {}", args.data_dir.display()))?;
    let spec = args.event_store.trim();
    if spec == "sqlite" {
        let path = args.data_dir.join("events.db");
        let store = SqliteEventStore::open(&path).await.with_context(|| format!("opening the SQLite event store {}", path.display()))?;
        tracing::info!(path = %path.display(), "event store: SQLite");
        Ok(Arc::new(store))
    } else if spec.starts_with("postgres://") || spec.starts_with("postgresql://") {
        let store = PostgresEventStore::connect(spec).await.context("opening the PostgreSQL event store")?;
        tracing::info!("event store: PostgreSQL");
        Ok(Arc::new(store))
    } else {
        anyhow::bail!("--event-store must be `sqlite` or a postgres:// URL, not {spec:?}")
    }
}

/// Opens the read store the flags name.
pub async fn read_store(args: &StoreArgs) -> anyhow::Result<Arc<dyn ReadStore>> {
    let spec = args.read_store.trim();
    if spec == "sqlite" {
        std::fs::create_dir_all(&args.data_dir).with_context(|| format!("creating the data directory {}", args.data_dir.display()))?;
        let path = args.data_dir.join("read.db");
        let store = SqliteReadStore::open(&path).await.with_context(|| format!("opening the read store {}", path.display()))?;
        tracing::info!(path = %path.display(), "read store: SQLite");
        Ok(Arc::new(store))
    } else if spec.starts_with("postgres://") || spec.starts_with("postgresql://") {
        let store = PostgresReadStore::connect(spec).await.context("opening the PostgreSQL read store")?;
        tracing::info!("read store: PostgreSQL");
        Ok(Arc::new(store))
    } else {
        anyhow::bail!("--read-store must be `sqlite` or a postgres:// URL, not {spec:?}")
    }
}
