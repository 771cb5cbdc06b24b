//! Rebuilding projections from the whole log, all of them in one pass.
//!
//! A rebuild is the only writer of its projections' documents (runners are stopped
//! first), so what it wrote is what the store holds: each projector keeps its
//! documents from one batch to the next ([`Documents::keep`]) instead of reading them
//! back, the log is read once for all projectors, and pages are larger than a live
//! runner's batches. Each batch still commits with its checkpoint, per projector, so
//! a rebuild cut short leaves every projection at a consistent checkpoint from which
//! a runner (or a new rebuild) goes on.

use std::sync::Arc;

use emporium_infra::event_store::{EventStore, RecordedEvent};
use emporium_infra::read_store::ReadStore;
use tokio::sync::mpsc;

use crate::batch::project_into;
use crate::{Documents, ProjectionError, Projector};

/// Events per page of the log, and per committed batch, during a rebuild.
pub const REBUILD_PAGE: usize = 20_000;

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
    let mut docs = Documents::after_reset(store.clone(), projector.collections());
    let mut position = 0;
    loop {
        let batch = events.read_all(position, REBUILD_PAGE).await?;
        let Some(last) = batch.last().map(|e| e.global_position) else { break };
        apply(&store, projector, &mut docs, &batch).await?;
        position = last;
        progress(position);
    }
    tracing::info!(projector = projector.name(), position, "projection rebuilt");
    Ok(position)
}

/// [`rebuild`] for several projectors at once: the log is read once, and each page
/// goes to every projector, each on its own task (so they share the cores); returns
/// the position reached.
pub async fn rebuild_all(
    events: Arc<dyn EventStore>,
    store: Arc<dyn ReadStore>,
    projectors: &[Arc<dyn Projector>],
    mut progress: impl FnMut(u64) + Send,
) -> Result<u64, ProjectionError> {
    let names: Vec<&str> = projectors.iter().map(|p| p.name()).collect();
    tracing::info!(projectors = ?names, "rebuilding projections");
    for projector in projectors {
        store.reset(projector.name(), projector.collections()).await?;
    }
    let mut lanes: Vec<Lane> = projectors.iter().map(|p| Lane::start(p.clone(), store.clone())).collect();
    let mut position = 0;
    let mut batch = Arc::new(events.read_all(position, REBUILD_PAGE).await?);
    while let Some(last) = batch.last().map(|e| e.global_position) {
        for lane in &lanes {
            lane.pages.send(batch.clone()).await.map_err(|_| ProjectionError::Rebuild(lane.name.to_owned()))?;
        }
        // The next page is read while this one is projected.
        let next = events.read_all(last, REBUILD_PAGE).await?;
        for lane in &mut lanes {
            match lane.done.recv().await {
                Some(result) => result?,
                None => return Err(ProjectionError::Rebuild(lane.name.to_owned())),
            }
        }
        (batch, position) = (Arc::new(next), last);
        progress(position);
    }
    tracing::info!(projectors = ?names, position, "projections rebuilt");
    Ok(position)
}

/// One projector's task in [`rebuild_all`]: takes pages, answers each when committed.
struct Lane {
    name: &'static str,
    pages: mpsc::Sender<Arc<Vec<RecordedEvent>>>,
    done: mpsc::Receiver<Result<(), ProjectionError>>,
}

impl Lane {
    fn start(projector: Arc<dyn Projector>, store: Arc<dyn ReadStore>) -> Self {
        let (pages, mut incoming) = mpsc::channel::<Arc<Vec<RecordedEvent>>>(1);
        let (answer, done) = mpsc::channel(1);
        let name = projector.name();
        tokio::spawn(async move {
            let mut docs = Documents::after_reset(store.clone(), projector.collections());
            while let Some(batch) = incoming.recv().await {
                let result = apply(&store, projector.as_ref(), &mut docs, &batch).await;
                let failed = result.is_err();
                if answer.send(result).await.is_err() || failed {
                    break;
                }
            }
        });
        Self { name, pages, done }
    }
}

/// Projects one page over `docs` and commits its writes with the page's last position.
async fn apply(
    store: &Arc<dyn ReadStore>,
    projector: &dyn Projector,
    docs: &mut Documents,
    batch: &[RecordedEvent],
) -> Result<(), ProjectionError> {
    let Some(last) = batch.last().map(|e| e.global_position) else { return Ok(()) };
    project_into(docs, projector, batch).await?;
    let committed = store.commit(projector.name(), docs.take_writes(), last).await?;
    docs.keep(committed);
    Ok(())
}
