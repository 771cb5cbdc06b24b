//! How far behind the log each projection is.

use std::sync::Arc;

use emporium_infra::event_store::EventStore;
use emporium_infra::read_store::ReadStore;
use serde::Serialize;

use crate::{ProjectionError, Projector};

/// One projection's progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectionStatus {
    /// The projector's name.
    pub name: String,
    /// The last position it committed.
    pub checkpoint: u64,
    /// The log's head when asked.
    pub head: u64,
    /// `head - checkpoint`: events not yet applied.
    pub lag: u64,
}

/// The progress of each projector.
pub async fn status(
    events: &dyn EventStore,
    store: &dyn ReadStore,
    projectors: &[Arc<dyn Projector>],
) -> Result<Vec<ProjectionStatus>, ProjectionError> {
    let head = events.head_position().await?;
    let mut out = Vec::with_capacity(projectors.len());
    for projector in projectors {
        let checkpoint = store.checkpoint(projector.name()).await?;
        out.push(ProjectionStatus {
            name: projector.name().to_owned(),
            checkpoint,
            head,
            lag: head.saturating_sub(checkpoint),
        });
    }
    Ok(out)
}
