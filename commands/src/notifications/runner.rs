//! The dispatcher as a log consumer: tails the event log from its checkpoint, turns
//! each batch into queued notifications while keeping its directory and delivery
//! schedule, commits those with the new checkpoint in one read-store transaction,
//! and sends due notifications after each batch and on a timer. Shaped like the
//! projection runner and the order saga.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use emporium_domain::notification::CampaignId;
use emporium_infra::event_store::{RecordedEvent, tail};
use emporium_infra::mailer::Mailer;
use emporium_infra::read_store::ReadStore;
use emporium_infra::sms::SmsSender;
use futures::StreamExt;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

use super::campaign::record_dispatch;
use super::deliver::deliver_due;
use super::dispatcher::Dispatcher;
use super::error::DispatchError;
use super::overlay::Overlay;
use super::queue::{Work, queue};
use super::react::react;
use super::settings::NotificationSettings;
use super::templates::Templates;
use crate::CommandHandler;

/// First back-off after a failed batch; doubles up to `max_retry_backoff`.
const FIRST_RETRY_BACKOFF: Duration = Duration::from_millis(200);

/// The notification dispatcher: a process manager from events to mail and SMS.
///
/// ```no_run
/// # async fn demo(
/// #     handler: emporium_commands::CommandHandler,
/// #     reads: std::sync::Arc<dyn emporium_infra::read_store::ReadStore>,
/// #     mailer: std::sync::Arc<dyn emporium_infra::mailer::Mailer>,
/// #     sms: std::sync::Arc<dyn emporium_infra::sms::SmsSender>,
/// #     key: emporium_commands::notifications::UnsubscribeKey,
/// # ) {
/// use emporium_commands::notifications::{NotificationDispatcher, NotificationSettings};
/// let settings = NotificationSettings::new("http://127.0.0.1:8080", key);
/// let running = NotificationDispatcher::new(handler, reads, mailer, sms, settings).spawn();
/// // … until shutdown:
/// running.stop().await.ok();
/// # }
/// ```
pub struct NotificationDispatcher {
    inner: Arc<Dispatcher>,
    processed: watch::Sender<u64>,
}

impl std::fmt::Debug for NotificationDispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotificationDispatcher").field("settings", &self.inner.settings).finish_non_exhaustive()
    }
}

impl NotificationDispatcher {
    /// The dispatcher's checkpoint name in the read store.
    pub const NAME: &'static str = "notification_dispatcher";

    /// A dispatcher issuing commands through `handler` (whose store it also tails),
    /// keeping its directory, schedule and checkpoint in `reads`, and sending through
    /// `mailer` and `sms`.
    pub fn new(
        handler: CommandHandler,
        reads: Arc<dyn ReadStore>,
        mailer: Arc<dyn Mailer>,
        sms: Arc<dyn SmsSender>,
        settings: NotificationSettings,
    ) -> Self {
        let (processed, _) = watch::channel(0);
        let templates = Templates::new(&settings.public_url);
        let (stopping, _) = watch::channel(false);
        let unrecorded = Mutex::new(HashMap::new());
        let inner = Dispatcher { handler, reads, mailer, sms, settings, templates, unrecorded, stopping };
        Self { inner: Arc::new(inner), processed }
    }

    /// The last log position the dispatcher has handled and committed.
    pub fn processed(&self) -> watch::Receiver<u64> {
        self.processed.subscribe()
    }

    /// Handles events as one batch: learns, queues what they cause, and commits the
    /// directory and schedule with the last event's position as checkpoint. The
    /// queueing runs even when the checkpoint is already past (a redelivery: every
    /// command dedupes); returns whether the checkpoint moved.
    pub async fn process(&self, events: &[RecordedEvent]) -> Result<bool, DispatchError> {
        let Some(last) = events.last().map(|event| event.global_position) else { return Ok(false) };
        let now = Utc::now();
        let mut view = Overlay::new(Arc::clone(&self.inner.reads));
        let mut work = Work::default();
        for recorded in events {
            react(&mut view, recorded, self.fresh(recorded, now), &mut work).await?;
        }
        let Work { drafts, campaigns } = work;
        let queued: Vec<(Option<CampaignId>, Result<bool, DispatchError>)> = futures::stream::iter(drafts)
            .map(|draft| {
                let inner = Arc::clone(&self.inner);
                async move { (draft.campaign, queue(&inner, &draft).await) }
            })
            .buffer_unordered(self.inner.settings.concurrency.max(1))
            .collect()
            .await;
        let mut recipients: HashMap<CampaignId, u32> = HashMap::new();
        for (campaign, result) in queued {
            if let (true, Some(campaign)) = (result?, campaign) {
                *recipients.entry(campaign).or_default() += 1;
            }
        }
        for run in &campaigns {
            record_dispatch(&self.inner, run, recipients.get(&run.campaign_id).copied().unwrap_or(0)).await?;
        }
        let moved = self.inner.reads.commit(Self::NAME, view.into_writes(), last).await?;
        if moved {
            self.processed.send_replace(last);
        }
        Ok(moved)
    }

    /// Sends every notification due at `now` (queued, or retrying and due); returns
    /// how many were sent. The running dispatcher calls this after each batch and
    /// every `timer_interval`.
    pub async fn deliver_due(&self, now: DateTime<Utc>) -> Result<usize, DispatchError> {
        deliver_due(&self.inner, now).await
    }

    /// Runs until `shutdown` resolves. A failed batch is retried with back-off until it
    /// succeeds. Shutdown lets the work in hand finish — the batch attempt and the sends
    /// already started, each recorded — but starts nothing new: dropping a store
    /// transaction mid-way would leave a pooled connection unusable. A batch not
    /// committed is redone on the next start.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) -> Result<(), DispatchError> {
        let start = self.inner.reads.checkpoint(Self::NAME).await?;
        self.processed.send_replace(start);
        tracing::info!(start, "notification dispatcher resuming");
        let store = Arc::clone(self.inner.handler.store());
        let mut log = tail(store, start).ready_chunks(self.inner.settings.batch_size.max(1));
        let mut timer = tokio::time::interval(self.inner.settings.timer_interval.max(Duration::from_millis(10)));
        timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let inner = Arc::clone(&self.inner);
        let mut shutdown = std::pin::pin!(async move {
            shutdown.await;
            inner.stopping.send_replace(true);
        });
        loop {
            tokio::select! {
                biased;
                () = &mut shutdown => break,
                _ = timer.tick() => {
                    if self.finish_unless_stopped(self.deliver_logged(), shutdown.as_mut()).await == Round::Stopped {
                        break;
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
                    let work = async {
                        self.process_until_done(&batch).await;
                        self.deliver_logged().await;
                    };
                    if self.finish_unless_stopped(work, shutdown.as_mut()).await == Round::Stopped {
                        break;
                    }
                }
            }
        }
        tracing::info!(processed = *self.processed.borrow(), "notification dispatcher stopped");
        Ok(())
    }

    /// Runs `work` to its end. If `shutdown` resolves first, the stop flag is set (so
    /// `work` starts nothing new) and `work` is still awaited; then `Stopped`.
    async fn finish_unless_stopped(
        &self,
        work: impl Future<Output = ()>,
        shutdown: std::pin::Pin<&mut (impl Future<Output = ()> + Send)>,
    ) -> Round {
        let mut work = std::pin::pin!(work);
        tokio::select! {
            biased;
            () = &mut work => Round::Done,
            () = shutdown => {
                work.await;
                Round::Stopped
            }
        }
    }

    /// Runs on a new task; stop it with [`RunningDispatcher::stop`] (or by dropping it).
    pub fn spawn(self) -> RunningDispatcher {
        let processed = self.processed();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(self.run(async move {
            // Resolves on `stop` and when the handle is dropped.
            let _ = stopped.await;
        }));
        RunningDispatcher { processed, stop: Some(stop), task }
    }

    /// True unless `max_event_age` says the event is too old to mail about.
    fn fresh(&self, recorded: &RecordedEvent, now: DateTime<Utc>) -> bool {
        let Some(age) = self.inner.settings.max_event_age else { return true };
        chrono::Duration::from_std(age).map_or(true, |age| recorded.recorded_at + age >= now)
    }

    async fn deliver_logged(&self) {
        if let Err(error) = self.deliver_due(Utc::now()).await {
            tracing::warn!(%error, "delivering notifications failed; the next round retries");
        }
    }

    /// Handles `batch`, retrying with back-off until it succeeds or a stop is asked
    /// for (checked between attempts only; an attempt in flight always finishes).
    async fn process_until_done(&self, batch: &[RecordedEvent]) {
        let mut backoff = FIRST_RETRY_BACKOFF;
        loop {
            match self.process(batch).await {
                Ok(_) => return,
                Err(error) => {
                    let position = batch.last().map_or(0, |event| event.global_position);
                    tracing::error!(position, %error, "notification batch failed; retrying");
                    tokio::select! {
                        biased;
                        () = self.inner.stop_requested() => return,
                        () = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(self.inner.settings.max_retry_backoff.max(FIRST_RETRY_BACKOFF));
                }
            }
        }
    }
}

/// How a piece of the runner's work ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Round {
    /// Finished; carry on.
    Done,
    /// Finished after a stop was asked for; leave the loop.
    Stopped,
}

/// A dispatcher on its own task.
#[derive(Debug)]
pub struct RunningDispatcher {
    processed: watch::Receiver<u64>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), DispatchError>>,
}

impl RunningDispatcher {
    /// The last log position the dispatcher has handled and committed.
    pub fn processed(&self) -> watch::Receiver<u64> {
        self.processed.clone()
    }

    /// Waits until `position` is handled; `false` on timeout or if the dispatcher stopped.
    pub async fn wait_for(&self, position: u64, timeout: Duration) -> bool {
        let mut processed = self.processed.clone();
        matches!(tokio::time::timeout(timeout, processed.wait_for(|p| *p >= position)).await, Ok(Ok(_)))
    }

    /// True once the dispatcher's task has ended.
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }

    /// Stops the dispatcher and waits for it: the batch attempt and the sends in hand
    /// finish and are recorded; nothing new starts.
    pub async fn stop(mut self) -> Result<(), DispatchError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match (&mut self.task).await {
            Ok(result) => result,
            Err(join) => Err(DispatchError::Aborted(join.to_string())),
        }
    }
}
