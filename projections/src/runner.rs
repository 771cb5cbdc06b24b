//! Running every projector of a process: one [`Follower`] each, over one source.

use std::sync::Arc;
use std::time::Duration;

use emporium_infra::event_store::EventStore;
use emporium_infra::follow::{EventSource, Follower, Health, Running, StoreTail};
use emporium_infra::read_store::ReadStore;

use crate::Projector;
use crate::consumer::Projection;

pub use emporium_infra::follow::runner::DEFAULT_BATCH_SIZE;

/// Keeps a set of projectors current with the log, each on its own checkpoint.
///
/// ```no_run
/// # async fn demo(events: std::sync::Arc<dyn emporium_infra::event_store::EventStore>,
/// #               store: std::sync::Arc<dyn emporium_infra::read_store::ReadStore>) {
/// use emporium_projections::{ProjectionRunner, models};
/// let running = ProjectionRunner::new(events, store, models::all()).spawn();
/// running.wait_for(42, std::time::Duration::from_secs(5)).await;
/// running.stop().await;
/// # }
/// ```
pub struct ProjectionRunner {
    source: Arc<dyn EventSource>,
    store: Arc<dyn ReadStore>,
    projectors: Vec<Arc<dyn Projector>>,
    batch_size: usize,
    health: Health,
}

impl std::fmt::Debug for ProjectionRunner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<_> = self.projectors.iter().map(|p| p.name()).collect();
        f.debug_struct("ProjectionRunner").field("projectors", &names).field("batch_size", &self.batch_size).finish()
    }
}

impl ProjectionRunner {
    /// A runner for `projectors` tailing `events` in-process and writing `store`.
    pub fn new(events: Arc<dyn EventStore>, store: Arc<dyn ReadStore>, projectors: Vec<Arc<dyn Projector>>) -> Self {
        Self::with_source(Arc::new(StoreTail::new(events)), store, projectors)
    }

    /// A runner for `projectors` reading `source` (the store's tail or the bus).
    pub fn with_source(
        source: Arc<dyn EventSource>,
        store: Arc<dyn ReadStore>,
        projectors: Vec<Arc<dyn Projector>>,
    ) -> Self {
        Self { source, store, projectors, batch_size: DEFAULT_BATCH_SIZE, health: Health::new() }
    }

    /// Sets the most events per batch (at least 1).
    pub fn with_batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size.max(1);
        self
    }

    /// Reports each projector on `health` (the process's board for `/health/ready`).
    pub fn with_health(mut self, health: Health) -> Self {
        self.health = health;
        self
    }

    /// Starts one follower per projector.
    pub fn spawn(self) -> RunningProjections {
        let running: Vec<Running> = self
            .projectors
            .into_iter()
            .map(|projector| {
                let consumer = Arc::new(Projection::new(projector, self.store.clone()));
                Follower::new(consumer, self.source.clone(), self.health.clone())
                    .with_batch_size(self.batch_size)
                    .spawn()
            })
            .collect();
        RunningProjections { running, health: self.health }
    }
}

/// The projectors' followers, running.
#[derive(Debug)]
pub struct RunningProjections {
    running: Vec<Running>,
    health: Health,
}

impl RunningProjections {
    /// The health board the projectors report to.
    pub fn health(&self) -> &Health {
        &self.health
    }

    /// The position every projector has committed at least up to.
    pub fn applied(&self) -> u64 {
        self.running.iter().map(|r| *r.position().borrow()).min().unwrap_or(0)
    }

    /// A watch of each projector's committed position.
    pub fn positions(&self) -> Vec<tokio::sync::watch::Receiver<u64>> {
        self.running.iter().map(Running::position).collect()
    }

    /// Waits until every projector has committed `position`; `false` on timeout.
    pub async fn wait_for(&self, position: u64, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        for running in &self.running {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if !running.wait_for(position, left).await {
                return false;
            }
        }
        true
    }

    /// True once any projector's follower has ended (it panicked or was stopped).
    pub fn is_finished(&self) -> bool {
        self.running.iter().any(Running::is_finished)
    }

    /// Stops every follower after its work in hand, and waits for them.
    pub async fn stop(self) {
        futures::future::join_all(self.running.into_iter().map(Running::stop)).await;
    }
}
