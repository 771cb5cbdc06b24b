//! The fault tests' final check: every read model of a live read store equals one
//! rebuilt from scratch from the log (`emporium projections rebuild` into a fresh
//! SQLite store), once the log has gone quiet and the live projectors caught up.

use std::collections::BTreeMap;
use std::process::Command;
use std::time::Duration;

use emporium_infra::event_store::EventStore;
use emporium_infra::read_store::sqlite::SqliteReadStore;
use emporium_infra::read_store::{MAX_LIMIT, Query, ReadStore};
use emporium_projections::models;

use crate::app::binary;

/// Every document of `collection`, as sorted JSON texts.
pub async fn documents(store: &dyn ReadStore, collection: &str) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    let mut offset = 0;
    loop {
        let page = store.query(collection, &Query::new().page(offset, MAX_LIMIT)).await?;
        let fetched = page.items.len() as u64;
        out.extend(page.items.iter().map(|doc| doc.to_string()));
        offset += fetched;
        if fetched == 0 || offset >= page.total {
            break;
        }
    }
    out.sort();
    Ok(out)
}

/// Waits until the log's head has not moved for two seconds; returns it.
pub async fn quiet_head(events: &dyn EventStore, within: Duration) -> anyhow::Result<u64> {
    let deadline = tokio::time::Instant::now() + within;
    let mut last = events.head_position().await?;
    loop {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let head = events.head_position().await?;
        if head == last {
            return Ok(head);
        }
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "the log kept growing for {within:?}");
        last = head;
    }
}

/// Waits until every projector of `live` has applied `head`, rebuilds every read model
/// from the log at `event_store` (a URL) into a fresh store, and fails unless each
/// collection holds the same documents in both; returns the document count per collection.
pub async fn assert_equal_to_rebuild(
    event_store: &str,
    live: &dyn ReadStore,
    head: u64,
) -> anyhow::Result<BTreeMap<&'static str, usize>> {
    for projector in models::all() {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while live.checkpoint(projector.name()).await? < head {
            anyhow::ensure!(tokio::time::Instant::now() < deadline, "{} stayed behind {head}", projector.name());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let rebuilt_dir = tempfile::tempdir()?;
    let rebuilt = Command::new(binary()?)
        .args(["--log", "warn", "projections", "rebuild", "--event-store", event_store, "--read-store", "sqlite"])
        .arg("--data-dir")
        .arg(rebuilt_dir.path())
        .output()?;
    anyhow::ensure!(rebuilt.status.success(), "rebuild failed: {}", String::from_utf8_lossy(&rebuilt.stderr));
    let fresh = SqliteReadStore::open(rebuilt_dir.path().join("read.db")).await?;
    let mut compared = BTreeMap::new();
    for projector in models::all() {
        anyhow::ensure!(
            fresh.checkpoint(projector.name()).await? == head,
            "the rebuild of {} missed the head",
            projector.name()
        );
        for collection in projector.collections() {
            let (ours, theirs) = (documents(live, collection).await?, documents(&fresh, collection).await?);
            anyhow::ensure!(
                ours == theirs,
                "collection {collection} differs from its rebuild:\nlive    {ours:?}\nrebuilt {theirs:?}"
            );
            compared.insert(*collection, ours.len());
        }
    }
    Ok(compared)
}
