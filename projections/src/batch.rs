//! Projecting one batch of events: each event over the batch's overlay, so later
//! events of the batch see the writes of earlier ones.

use std::sync::Arc;

use emporium_infra::event_store::RecordedEvent;
use emporium_infra::read_store::{DocWrite, ReadStore};

use crate::{Documents, ProjectionError, Projector};

/// The writes `batch` causes, in order (the caller commits them with its checkpoint).
#[tracing::instrument(skip_all, fields(projector = projector.name(), events = batch.len()))]
pub(crate) async fn project_batch(
    store: &Arc<dyn ReadStore>,
    projector: &dyn Projector,
    batch: &[RecordedEvent],
) -> Result<Vec<DocWrite>, ProjectionError> {
    let mut docs = Documents::new(store.clone());
    for event in batch {
        let writes = projector.project(event, &docs).await?;
        docs.apply(writes);
    }
    Ok(docs.into_writes())
}

/// Applies the events of `batch` past `checkpoint` and commits them with the last
/// position; returns the checkpoint now stored.
pub(crate) async fn apply_batch(
    store: &Arc<dyn ReadStore>,
    projector: &dyn Projector,
    batch: &[RecordedEvent],
    checkpoint: u64,
) -> Result<u64, ProjectionError> {
    let fresh: Vec<RecordedEvent> = batch.iter().filter(|e| e.global_position > checkpoint).cloned().collect();
    let Some(last) = fresh.last().map(|e| e.global_position) else { return Ok(checkpoint) };
    let writes = project_batch(store, projector, &fresh).await?;
    if store.commit(projector.name(), writes, last).await? {
        Ok(last)
    } else {
        // Someone else (a runner, another rebuild) got further; trust the store.
        Ok(store.checkpoint(projector.name()).await?)
    }
}
