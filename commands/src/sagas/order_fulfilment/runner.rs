//! The saga as a log consumer: tails the event log from its checkpoint, handles each
//! batch (orders concurrently, each order's events in order), commits the orders'
//! states with the new checkpoint in one read-store transaction, and fires payment
//! deadlines on a timer. Shaped like the projection runner.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use emporium_domain::ids::OrderId;
use emporium_infra::accounts::AccountStore;
use emporium_infra::event_store::{RecordedEvent, tail};
use emporium_infra::payments::PaymentGateway;
use emporium_infra::read_store::{DocWrite, ReadStore};
use futures::StreamExt;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

use super::error::SagaError;
use super::react::{handle_order, relevant};
use super::saga::Saga;
use super::settings::SagaSettings;
use super::state::FulfilmentState;
use crate::CommandHandler;

/// First back-off after a failed batch; doubles up to `max_retry_backoff`.
const FIRST_RETRY_BACKOFF: Duration = Duration::from_millis(200);

/// The order fulfilment process manager.
///
/// ```no_run
/// # async fn demo(
/// #     handler: emporium_commands::CommandHandler,
/// #     reads: std::sync::Arc<dyn emporium_infra::read_store::ReadStore>,
/// #     accounts: std::sync::Arc<dyn emporium_infra::accounts::AccountStore>,
/// #     gateway: std::sync::Arc<dyn emporium_infra::payments::PaymentGateway>,
/// # ) {
/// use emporium_commands::sagas::order_fulfilment::{OrderFulfilment, SagaSettings};
/// let running = OrderFulfilment::new(handler, reads, accounts, gateway, SagaSettings::default()).spawn();
/// // … until shutdown:
/// running.stop().await.ok();
/// # }
/// ```
pub struct OrderFulfilment {
    pub(super) saga: Arc<Saga>,
    processed: watch::Sender<u64>,
}

impl std::fmt::Debug for OrderFulfilment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrderFulfilment").field("settings", &self.saga.settings).finish_non_exhaustive()
    }
}

impl OrderFulfilment {
    /// The saga's checkpoint name in the read store.
    pub const NAME: &'static str = "saga_order_fulfilment";
    /// The read-store collection of per-order saga states (id = order id).
    pub const COLLECTION: &'static str = "saga_order_fulfilment";

    /// A saga issuing commands through `handler` (whose store it also tails), keeping
    /// its state in `reads`, resolving saved payment methods and coupon codes in
    /// `accounts`, and charging through `gateway`.
    pub fn new(
        handler: CommandHandler,
        reads: Arc<dyn ReadStore>,
        accounts: Arc<dyn AccountStore>,
        gateway: Arc<dyn PaymentGateway>,
        settings: SagaSettings,
    ) -> Self {
        let (processed, _) = watch::channel(0);
        Self { saga: Arc::new(Saga { handler, reads, accounts, gateway, settings }), processed }
    }

    /// The last log position the saga has handled and committed.
    pub fn processed(&self) -> watch::Receiver<u64> {
        self.processed.subscribe()
    }

    /// The saga's state of an order, as last committed.
    pub async fn state(&self, order_id: OrderId) -> Result<Option<FulfilmentState>, SagaError> {
        let key = order_id.to_string();
        match self.saga.reads.get(Self::COLLECTION, &key).await? {
            Some(doc) => Ok(Some(FulfilmentState::from_doc(&key, doc)?)),
            None => Ok(None),
        }
    }

    /// Handles events as one batch and commits the states with the last event's
    /// position as checkpoint. The steps run even when the checkpoint is already past
    /// (a redelivery: every command dedupes); returns whether the checkpoint moved.
    pub async fn process(&self, events: &[RecordedEvent]) -> Result<bool, SagaError> {
        let Some(last) = events.last().map(|event| event.global_position) else { return Ok(false) };
        let mut groups: Vec<(OrderId, Vec<RecordedEvent>)> = Vec::new();
        for event in events {
            let Some(order_id) = relevant(event) else { continue };
            match groups.iter_mut().find(|(id, _)| *id == order_id) {
                Some((_, group)) => group.push(event.clone()),
                None => groups.push((order_id, vec![event.clone()])),
            }
        }
        let concurrency = self.saga.settings.concurrency.max(1);
        let results: Vec<Result<FulfilmentState, SagaError>> = futures::stream::iter(groups)
            .map(|(order_id, group)| {
                let saga = Arc::clone(&self.saga);
                async move { handle_order(&saga, order_id, &group).await }
            })
            .buffer_unordered(concurrency)
            .collect()
            .await;
        let mut writes = Vec::with_capacity(results.len());
        for result in results {
            let state = result?;
            writes.push(DocWrite::put(Self::COLLECTION, state.order_id.to_string(), state.to_doc()?));
        }
        let moved = self.saga.reads.commit(Self::NAME, writes, last).await?;
        if moved {
            self.processed.send_replace(last);
        }
        Ok(moved)
    }

    /// Runs until `shutdown` resolves. A failed batch is retried with back-off until it
    /// succeeds. Shutdown lets the batch attempt in hand finish (never abandoning store
    /// transactions mid-way); a batch not committed is redone on the next start.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) -> Result<(), SagaError> {
        let start = self.saga.reads.checkpoint(Self::NAME).await?;
        self.processed.send_replace(start);
        tracing::info!(start, "order fulfilment saga resuming");
        let store = Arc::clone(self.saga.handler.store());
        let mut log = tail(store, start).ready_chunks(self.saga.settings.batch_size.max(1));
        let mut timer = tokio::time::interval(self.saga.settings.timer_interval.max(Duration::from_millis(10)));
        timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            tokio::select! {
                biased;
                () = &mut shutdown => break,
                _ = timer.tick() => {
                    if let Err(error) = self.fire_due_deadlines(Utc::now()).await {
                        tracing::warn!(%error, "firing payment deadlines failed; next tick retries");
                    }
                }
                chunk = log.next() => {
                    let Some(chunk) = chunk else { break };
                    let batch: Vec<RecordedEvent> = chunk
                        .into_iter()
                        .filter_map(|item| item.map_err(|error| tracing::warn!(%error, "reading the event log failed; retrying")).ok())
                        .collect();
                    if batch.is_empty() {
                        continue;
                    }
                    if self.process_until_done(&batch, shutdown.as_mut()).await == Batch::Stopped {
                        break;
                    }
                }
            }
        }
        tracing::info!(processed = *self.processed.borrow(), "order fulfilment saga stopped");
        Ok(())
    }

    /// Runs on a new task; stop it with [`RunningSaga::stop`] (or by dropping it).
    pub fn spawn(self) -> RunningSaga {
        let processed = self.processed();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(self.run(async move {
            // Resolves on `stop` and when the handle is dropped.
            let _ = stopped.await;
        }));
        RunningSaga { processed, stop: Some(stop), task }
    }

    /// Handles `batch`, retrying with back-off until it succeeds or `shutdown` resolves.
    ///
    /// An attempt in flight is never interrupted: dropping it mid-way would abandon
    /// store transactions (a half-begun or half-committed read-store commit, an
    /// append) on pooled connections, leaving them unusable for every later run.
    /// `shutdown` is only honoured between attempts; a failed batch is redone on the
    /// next start.
    async fn process_until_done(
        &self,
        batch: &[RecordedEvent],
        mut shutdown: std::pin::Pin<&mut (impl Future<Output = ()> + Send)>,
    ) -> Batch {
        let mut backoff = FIRST_RETRY_BACKOFF;
        loop {
            match self.process(batch).await {
                Ok(_) => return Batch::Done,
                Err(error) => {
                    let position = batch.last().map_or(0, |event| event.global_position);
                    tracing::error!(position, %error, "saga batch failed; retrying");
                    tokio::select! {
                        biased;
                        () = shutdown.as_mut() => return Batch::Stopped,
                        () = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(self.saga.settings.max_retry_backoff.max(FIRST_RETRY_BACKOFF));
                }
            }
        }
    }
}

/// How handling a batch ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Batch {
    /// Handled and committed.
    Done,
    /// `shutdown` resolved while waiting to retry a failed attempt.
    Stopped,
}

/// A saga on its own task.
#[derive(Debug)]
pub struct RunningSaga {
    processed: watch::Receiver<u64>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), SagaError>>,
}

impl RunningSaga {
    /// The last log position the saga has handled and committed.
    pub fn processed(&self) -> watch::Receiver<u64> {
        self.processed.clone()
    }

    /// Waits until `position` is handled; `false` on timeout or if the saga stopped.
    pub async fn wait_for(&self, position: u64, timeout: Duration) -> bool {
        let mut processed = self.processed.clone();
        matches!(tokio::time::timeout(timeout, processed.wait_for(|p| *p >= position)).await, Ok(Ok(_)))
    }

    /// True once the saga's task has ended.
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }

    /// Stops the saga (after the batch attempt in hand finishes; a batch not committed
    /// is redone on the next start) and waits for it.
    pub async fn stop(mut self) -> Result<(), SagaError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match (&mut self.task).await {
            Ok(result) => result,
            Err(join) => Err(SagaError::Aborted(join.to_string())),
        }
    }
}
