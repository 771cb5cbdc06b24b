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
    project_into(&mut docs, projector, batch).await?;
    Ok(docs.into_writes())
}

/// Projects `batch` over `docs`, which gathers the writes.
pub(crate) async fn project_into(
    docs: &mut Documents,
    projector: &dyn Projector,
    batch: &[RecordedEvent],
) -> Result<(), ProjectionError> {
    for event in batch {
        let writes = projector.project(event, docs).await?;
        docs.apply(writes);
    }
    Ok(())
}
