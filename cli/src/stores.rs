//! Turns storage flags into adapters.

use std::sync::Arc;

use anyhow::Context;
use emporium_infra::event_store::EventStore;
use emporium_infra::event_store::postgres::PostgresEventStore;
use emporium_infra::event_store::sqlite::SqliteEventStore;

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
