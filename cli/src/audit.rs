//! `emporium audit verify`: replays the whole log and checks what an auditor relies on.

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Context;
use emporium_infra::event_store::{EventStore, GENESIS_HASH, verify_chain};

use crate::config::{AuditAction, AuditArgs};
use crate::stores;

const PAGE: usize = 2000;

/// Runs an audit action.
pub async fn run(args: AuditArgs) -> anyhow::Result<()> {
    match args.action {
        AuditAction::Verify(store) => verify(&stores::event_store(&store).await?).await,
    }
}

/// What a verification found: the log is whole up to `events`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// Events read (the last position).
    pub events: u64,
    /// Distinct streams.
    pub streams: usize,
    /// The hash of the last event.
    pub last_hash: String,
}

/// Verifies the whole log behind a progress bar and prints the result.
async fn verify(store: &Arc<dyn EventStore>) -> anyhow::Result<()> {
    let head = store.head_position().await.context("reading the head position")?;
    let progress = indicatif::ProgressBar::new(head);
    progress.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} verifying [{bar:40}] {pos}/{len} events ({per_sec}, eta {eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let verified = verify_log(store.as_ref(), |position| progress.set_position(position.min(head))).await?;
    progress.finish_and_clear();
    println!(
        "ok: {} events in {} streams; hash chain intact; last hash {}",
        verified.events, verified.streams, verified.last_hash
    );
    Ok(())
}

/// Checks, page by page: the hash chain, that positions run 1, 2, 3 … with no gap,
/// and that each stream's versions run 1, 2, 3 …; reports each page's last position.
/// `emporium bench rebuild` times this as its baseline.
pub async fn verify_log(store: &dyn EventStore, mut progress: impl FnMut(u64)) -> anyhow::Result<Verified> {
    let mut prev_hash = GENESIS_HASH.to_owned();
    let mut position = 0u64;
    let mut versions: HashMap<String, u64> = HashMap::new();
    loop {
        let page =
            store.read_all(position, PAGE).await.with_context(|| format!("reading after position {position}"))?;
        if page.is_empty() {
            break;
        }
        prev_hash = verify_chain(&prev_hash, &page)?;
        for event in &page {
            anyhow::ensure!(
                event.global_position == position + 1,
                "gap: position {} follows {position}",
                event.global_position
            );
            position = event.global_position;
            let last = versions.entry(event.stream_id.clone()).or_default();
            anyhow::ensure!(
                event.stream_version == *last + 1,
                "stream {} jumps from version {} to {} at position {position}",
                event.stream_id,
                *last,
                event.stream_version
            );
            *last = event.stream_version;
        }
        progress(position);
    }
    Ok(Verified { events: position, streams: versions.len(), last_hash: prev_hash })
}
