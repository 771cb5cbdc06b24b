//! Applying one batch of events to one projector: project each event over the
//! batch's overlay, then commit the writes and the checkpoint together.

use std::sync::Arc;

use emporium_infra::event_store::RecordedEvent;
use emporium_infra::read_store::ReadStore;

use crate::{Documents, ProjectionError, Projector};

/// Applies the events of `batch` past `checkpoint`; returns the new checkpoint.
#[tracing::instrument(skip_all, fields(projector = projector.name(), checkpoint = checkpoint, events = batch.len()))]
pub(crate) async fn apply_batch(
    store: &Arc<dyn ReadStore>,
    projector: &dyn Projector,
    batch: &[RecordedEvent],
    checkpoint: u64,
) -> Result<u64, ProjectionError> {
    let Some(last) = batch.last().map(|e| e.global_position).filter(|last| *last > checkpoint) else {
        return Ok(checkpoint);
    };
    let mut docs = Documents::new(store.clone());
    // Positions at or below the checkpoint are redeliveries: already applied.
    for event in batch.iter().filter(|e| e.global_position > checkpoint) {
        let writes = projector.project(event, &docs).await?;
        docs.apply(writes);
    }
    let writes = docs.into_writes();
    let count = writes.len();
    if store.commit(projector.name(), writes, last).await? {
        tracing::debug!(position = last, writes = count, "batch committed");
        Ok(last)
    } else {
        // Someone else (another runner, a rebuild) got further; trust the store.
        let stored = store.checkpoint(projector.name()).await?;
        tracing::warn!(position = last, stored, "batch was already applied");
        Ok(stored)
    }
}
