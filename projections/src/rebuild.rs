//! Rebuilding one projection from the whole log.

use std::sync::Arc;

use emporium_infra::event_store::EventStore;
use emporium_infra::read_store::ReadStore;

use crate::batch::apply_batch;
use crate::runner::DEFAULT_BATCH_SIZE;
use crate::{ProjectionError, Projector};

/// Deletes a projection's documents and checkpoint, then replays the log from
/// position 0 up to its current head; returns the position reached.
///
/// Stop any runner that includes this projector first: a runner committing while
/// the rebuild runs would interleave batches. A runner started afterwards resumes
/// from the rebuilt checkpoint.
pub async fn rebuild(
    events: Arc<dyn EventStore>,
    store: Arc<dyn ReadStore>,
    projector: &dyn Projector,
    mut progress: impl FnMut(u64) + Send,
) -> Result<u64, ProjectionError> {
    tracing::info!(projector = projector.name(), "rebuilding projection");
    store.reset(projector.name(), projector.collections()).await?;
    let mut position = 0;
    loop {
        let batch = events.read_all(position, DEFAULT_BATCH_SIZE).await?;
        if batch.is_empty() {
            break;
        }
        position = apply_batch(&store, projector, &batch, position).await?;
        progress(position);
    }
    tracing::info!(projector = projector.name(), position, "projection rebuilt");
    Ok(position)
}
