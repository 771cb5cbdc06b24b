//! The projection runner: tails the log from the lowest checkpoint of its
//! projectors, applies events in batches and publishes how far it got.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use emporium_infra::event_store::{EventStore, RecordedEvent, tail};
use emporium_infra::read_store::ReadStore;
use futures::StreamExt;
use futures::future::try_join_all;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

use crate::batch::apply_batch;
use crate::{ProjectionError, Projector};

/// Most events applied in one transaction per projector.
pub const DEFAULT_BATCH_SIZE: usize = 500;
/// Attempts per batch before the runner gives up (transient database trouble).
const ATTEMPTS: u32 = 5;
/// First back-off between attempts; doubles each time.
const FIRST_BACKOFF: Duration = Duration::from_millis(100);

/// Keeps a set of projectors current with the event log.
///
/// ```no_run
/// # async fn demo(events: std::sync::Arc<dyn emporium_infra::event_store::EventStore>,
/// #               store: std::sync::Arc<dyn emporium_infra::read_store::ReadStore>) {
/// use emporium_projections::{ProjectionRunner, models};
/// let running = ProjectionRunner::new(events, store, models::all()).spawn();
/// running.wait_for(42, std::time::Duration::from_secs(5)).await; // read-your-writes
/// running.stop().await.ok();
/// # }
/// ```
pub struct ProjectionRunner {
    events: Arc<dyn EventStore>,
    store: Arc<dyn ReadStore>,
    projectors: Vec<Arc<dyn Projector>>,
    batch_size: usize,
    applied: watch::Sender<u64>,
}

impl std::fmt::Debug for ProjectionRunner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<_> = self.projectors.iter().map(|p| p.name()).collect();
        f.debug_struct("ProjectionRunner").field("projectors", &names).field("batch_size", &self.batch_size).finish()
    }
}

impl ProjectionRunner {
    /// A runner for `projectors`, reading `events` and writing `store`.
    pub fn new(events: Arc<dyn EventStore>, store: Arc<dyn ReadStore>, projectors: Vec<Arc<dyn Projector>>) -> Self {
        let (applied, _) = watch::channel(0);
        Self { events, store, projectors, batch_size: DEFAULT_BATCH_SIZE, applied }
    }

    /// Sets the most events per batch (at least 1).
    pub fn with_batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size.max(1);
        self
    }

    /// The position every projector has applied (and committed) at least up to.
    pub fn applied(&self) -> watch::Receiver<u64> {
        self.applied.subscribe()
    }

    /// Runs until `shutdown` resolves (finishing the batch in hand) or a batch fails
    /// [`ATTEMPTS`] times.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) -> Result<(), ProjectionError> {
        let mut checkpoints = Vec::with_capacity(self.projectors.len());
        for projector in &self.projectors {
            checkpoints.push(self.store.checkpoint(projector.name()).await?);
        }
        let Some(start) = checkpoints.iter().copied().min() else {
            shutdown.await;
            return Ok(());
        };
        tracing::info!(start, projectors = self.projectors.len(), "projections resuming");
        self.applied.send_replace(start);
        let mut log = tail(self.events.clone(), start).ready_chunks(self.batch_size);
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            let chunk = tokio::select! {
                biased;
                () = &mut shutdown => break,
                chunk = log.next() => chunk,
            };
            let Some(chunk) = chunk else { break };
            let mut batch = Vec::with_capacity(chunk.len());
            for item in chunk {
                match item {
                    Ok(event) => batch.push(event),
                    // The tail yields a read error once and retries from where it was.
                    Err(error) => {
                        tracing::warn!(error = %error, "reading the event log failed; retrying")
                    }
                }
            }
            if batch.is_empty() {
                continue;
            }
            checkpoints = self.apply_with_retries(&batch, &checkpoints).await?;
            let applied = checkpoints.iter().copied().min().unwrap_or(start);
            self.applied.send_replace(applied);
        }
        tracing::info!(applied = *self.applied.borrow(), "projections stopped");
        Ok(())
    }

    /// Runs on a new task; stop it with [`RunningProjections::stop`] (or by dropping it).
    pub fn spawn(self) -> RunningProjections {
        let applied = self.applied();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(self.run(async move {
            // Resolves on `stop` and when the handle is dropped.
            let _ = stopped.await;
        }));
        RunningProjections { applied, stop: Some(stop), task }
    }

    /// Applies one batch to every projector concurrently, retrying the whole batch of
    /// a projector that failed; returns the new checkpoints.
    async fn apply_with_retries(
        &self,
        batch: &[RecordedEvent],
        checkpoints: &[u64],
    ) -> Result<Vec<u64>, ProjectionError> {
        let last = batch.last().map_or(0, |e| e.global_position);
        let work = self.projectors.iter().zip(checkpoints).map(|(projector, &checkpoint)| async move {
            let mut backoff = FIRST_BACKOFF;
            let mut attempt = 1;
            loop {
                match apply_batch(&self.store, projector.as_ref(), batch, checkpoint).await {
                    Ok(position) => return Ok(position),
                    Err(error) if attempt < ATTEMPTS => {
                        tracing::warn!(projector = projector.name(), attempt, error = %error, "batch failed; retrying");
                        tokio::time::sleep(backoff).await;
                        backoff *= 2;
                        attempt += 1;
                    }
                    Err(error) => {
                        tracing::error!(projector = projector.name(), position = last, error = %error, "batch failed; stopping");
                        return Err(ProjectionError::Projector {
                            projector: projector.name().to_owned(),
                            position: last,
                            source: Box::new(error),
                        });
                    }
                }
            }
        });
        try_join_all(work).await
    }
}

/// A runner on its own task.
#[derive(Debug)]
pub struct RunningProjections {
    applied: watch::Receiver<u64>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), ProjectionError>>,
}

impl RunningProjections {
    /// The position every projector has applied at least up to.
    pub fn applied(&self) -> watch::Receiver<u64> {
        self.applied.clone()
    }

    /// Waits until `position` is applied; `false` on timeout or if the runner stopped.
    pub async fn wait_for(&self, position: u64, timeout: Duration) -> bool {
        wait_for_position(&mut self.applied.clone(), position, timeout).await
    }

    /// True once the runner has ended (stopped or failed).
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }

    /// Asks the runner to stop after its current batch and waits for it; returns the
    /// error it failed with, if it had.
    pub async fn stop(mut self) -> Result<(), ProjectionError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match (&mut self.task).await {
            Ok(result) => result,
            Err(join) => Err(ProjectionError::Aborted(join.to_string())),
        }
    }
}

/// Waits until `applied` reaches `position`: read-your-writes for the read API.
/// `false` on timeout or when the runner behind `applied` is gone.
pub async fn wait_for_position(applied: &mut watch::Receiver<u64>, position: u64, timeout: Duration) -> bool {
    matches!(tokio::time::timeout(timeout, applied.wait_for(|p| *p >= position)).await, Ok(Ok(_)))
}
