//! The dispatcher as a log consumer: turns each batch into queued notifications
//! while keeping its directory and delivery schedule, which the [`Follower`] commits
//! with the checkpoint in one transaction of the dispatcher's own store; sends due
//! notifications after each batch and on its timer.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use emporium_domain::notification::CampaignId;
use emporium_infra::event_store::RecordedEvent;
use emporium_infra::follow::{ConsumeError, Consumer, EventSource, Follower, Health, RetryPolicy, Running, StoreTail};
use emporium_infra::mailer::Mailer;
use emporium_infra::read_store::{DocWrite, ReadStore};
use emporium_infra::sms::SmsSender;
use futures::StreamExt;
use tokio::sync::watch;

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
/// running.stop().await;
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
        let writes = self.writes(events).await?;
        let moved = self.inner.reads.commit(Self::NAME, writes, last).await?;
        if moved {
            self.processed.send_replace(last);
        }
        Ok(moved)
    }

    /// Learns from a batch and queues what it causes; returns the directory and
    /// schedule writes to commit with the batch's checkpoint.
    async fn writes(&self, events: &[RecordedEvent]) -> Result<Vec<DocWrite>, DispatchError> {
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
        Ok(view.into_writes())
    }

    /// Sends every notification due at `now` (queued, or retrying and due); returns
    /// how many were sent. The running dispatcher calls this after each batch and
    /// every `timer_interval`.
    pub async fn deliver_due(&self, now: DateTime<Utc>) -> Result<usize, DispatchError> {
        deliver_due(&self.inner, now).await
    }

    /// The runner for this dispatcher over `source`, reporting to `health`.
    pub fn follower(self, source: Arc<dyn EventSource>, health: Health) -> Follower {
        let batch_size = self.inner.settings.batch_size;
        let policy = RetryPolicy::doubling(FIRST_RETRY_BACKOFF, self.inner.settings.max_retry_backoff);
        Follower::new(Arc::new(self), source, health).with_batch_size(batch_size).with_policy(policy)
    }

    /// Runs on a new task, tailing its command handler's event store; stop it with
    /// [`Running::stop`] (or by dropping it).
    pub fn spawn(self) -> Running {
        let source = Arc::new(StoreTail::new(Arc::clone(self.inner.handler.store())));
        self.follower(source, Health::new()).spawn()
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
}

#[async_trait]
impl Consumer for NotificationDispatcher {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn store(&self) -> &Arc<dyn ReadStore> {
        &self.inner.reads
    }

    async fn handle(&self, batch: &[RecordedEvent]) -> Result<Vec<DocWrite>, ConsumeError> {
        Ok(self.writes(batch).await?)
    }

    async fn after_commit(&self) {
        self.deliver_logged().await;
    }

    fn stopping(&self) {
        self.inner.stopping.send_replace(true);
    }

    fn tick_every(&self) -> Option<Duration> {
        Some(self.inner.settings.timer_interval)
    }

    async fn tick(&self) -> Result<(), ConsumeError> {
        self.deliver_due(Utc::now()).await?;
        Ok(())
    }

    async fn probe(&self) -> Result<(), ConsumeError> {
        // Queueing issues commands: the event store must answer too.
        self.inner.reads.checkpoint(Self::NAME).await?;
        self.inner.handler.store().head_position().await?;
        Ok(())
    }
}
