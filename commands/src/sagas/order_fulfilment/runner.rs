//! The saga as a log consumer: handles each batch (orders concurrently, each order's
//! events in order) into per-order states that the [`Follower`] commits with the
//! checkpoint in one transaction of the saga's own store, and fires payment deadlines
//! on its timer.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use emporium_domain::ids::OrderId;
use emporium_infra::accounts::AccountStore;
use emporium_infra::event_store::RecordedEvent;
use emporium_infra::follow::{ConsumeError, Consumer, EventSource, Follower, Health, RetryPolicy, Running, StoreTail};
use emporium_infra::payments::PaymentGateway;
use emporium_infra::read_store::{DocWrite, ReadStore};
use futures::StreamExt;
use tokio::sync::watch;

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
/// #     state: std::sync::Arc<dyn emporium_infra::read_store::ReadStore>,
/// #     accounts: std::sync::Arc<dyn emporium_infra::accounts::AccountStore>,
/// #     gateway: std::sync::Arc<dyn emporium_infra::payments::PaymentGateway>,
/// # ) {
/// use emporium_commands::sagas::order_fulfilment::{OrderFulfilment, SagaSettings};
/// let running = OrderFulfilment::new(handler, state, accounts, gateway, SagaSettings::default()).spawn();
/// // … until shutdown:
/// running.stop().await;
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
    /// The saga's consumer name: checkpoint key and durable name on the bus.
    pub const NAME: &'static str = "saga_order_fulfilment";
    /// The collection of per-order saga states in its store (id = order id).
    pub const COLLECTION: &'static str = "saga_order_fulfilment";

    /// A saga issuing commands through `handler`, keeping its state and checkpoint in
    /// `state` (the process-manager store, apart from the read models), resolving saved
    /// payment methods and coupon codes in `accounts`, and charging through `gateway`.
    pub fn new(
        handler: CommandHandler,
        state: Arc<dyn ReadStore>,
        accounts: Arc<dyn AccountStore>,
        gateway: Arc<dyn PaymentGateway>,
        settings: SagaSettings,
    ) -> Self {
        let (processed, _) = watch::channel(0);
        Self { saga: Arc::new(Saga { handler, reads: state, accounts, gateway, settings }), processed }
    }

    /// The last log position the saga has handled and committed through [`process`](Self::process).
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
    /// position as checkpoint, outside any runner. The steps run even when the
    /// checkpoint is already past (every command dedupes); returns whether it moved.
    pub async fn process(&self, events: &[RecordedEvent]) -> Result<bool, SagaError> {
        let Some(last) = events.last().map(|event| event.global_position) else { return Ok(false) };
        let writes = self.states(events).await?;
        let moved = self.saga.reads.commit(Self::NAME, writes, last).await?;
        if moved {
            self.processed.send_replace(last);
        }
        Ok(moved)
    }

    /// The runner for this saga over `source`, reporting to `health`.
    pub fn follower(self, source: Arc<dyn EventSource>, health: Health) -> Follower {
        let batch_size = self.saga.settings.batch_size;
        let policy = RetryPolicy::doubling(FIRST_RETRY_BACKOFF, self.saga.settings.max_retry_backoff);
        Follower::new(Arc::new(self), source, health).with_batch_size(batch_size).with_policy(policy)
    }

    /// Runs on a new task, tailing its command handler's event store; stop it with
    /// [`Running::stop`] (or by dropping it).
    pub fn spawn(self) -> Running {
        let source = Arc::new(StoreTail::new(Arc::clone(self.saga.handler.store())));
        self.follower(source, Health::new()).spawn()
    }

    /// Runs the steps of a batch, orders concurrently; returns each touched order's state.
    async fn states(&self, events: &[RecordedEvent]) -> Result<Vec<DocWrite>, SagaError> {
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
        Ok(writes)
    }
}

#[async_trait]
impl Consumer for OrderFulfilment {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn store(&self) -> &Arc<dyn ReadStore> {
        &self.saga.reads
    }

    async fn handle(&self, batch: &[RecordedEvent]) -> Result<Vec<DocWrite>, ConsumeError> {
        Ok(self.states(batch).await?)
    }

    fn tick_every(&self) -> Option<Duration> {
        Some(self.saga.settings.timer_interval)
    }

    async fn tick(&self) -> Result<(), ConsumeError> {
        self.fire_due_deadlines(Utc::now()).await?;
        Ok(())
    }

    async fn probe(&self) -> Result<(), ConsumeError> {
        // Its steps need the event store as much as its own store.
        self.saga.reads.checkpoint(Self::NAME).await?;
        self.saga.handler.store().head_position().await?;
        Ok(())
    }
}
