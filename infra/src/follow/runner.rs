//! The `Follower`: the one loop every consumer of the log runs in.
//!
//! Per consumer: read its checkpoint, open its feed there, and for each batch call
//! the consumer and commit its writes with the batch's last position in one store
//! transaction, then acknowledge the feed. A failing batch is retried with back-off;
//! when the retries run out while the consumer's dependencies answer, its events are
//! tried one by one and the one that still fails is parked (committed as a parked
//! entry with the checkpoint moved past it), so the rest flows on. While a dependency
//! is down nothing is parked: the batch waits. Work in hand (a handle, a commit, timer
//! work) always finishes before a stop is honoured: dropping it mid-way could leave a
//! store transaction open on a pooled connection.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::consumer::{ConsumeError, Consumer, RetryPolicy};
use super::health::{Condition, Health};
use super::parked::{self, ParkedMessage};
use super::source::{EventSource, Feed};
use crate::event_store::RecordedEvent;

/// Most events handed to a consumer at once, unless set otherwise.
pub const DEFAULT_BATCH_SIZE: usize = 500;
/// How often a runner looks for parked messages `dlq replay` sent back.
const REPLAY_CHECK: Duration = Duration::from_secs(1);
/// The longest a runner waits for events before looking at its timers again.
const MAX_WAIT: Duration = Duration::from_secs(1);

type Shutdown<'a> = Pin<&'a mut (dyn Future<Output = ()> + Send)>;

/// Runs one [`Consumer`] over an [`EventSource`].
pub struct Follower {
    consumer: Arc<dyn Consumer>,
    source: Arc<dyn EventSource>,
    health: Health,
    policy: RetryPolicy,
    batch_size: usize,
    position: watch::Sender<u64>,
    name: String,
}

impl std::fmt::Debug for Follower {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Follower")
            .field("consumer", &self.name)
            .field("source", &self.source.kind())
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

/// How handling a batch ended.
enum Outcome {
    /// Committed (or parked); the consumer's checkpoint is now this.
    Committed(u64),
    /// Retries ran out and the batch holds several events: try them alone.
    GaveUp,
    /// A stop was asked for between attempts.
    Stopped,
}

impl Follower {
    /// A runner for `consumer` reading `source`, reporting to `health`.
    pub fn new(consumer: Arc<dyn Consumer>, source: Arc<dyn EventSource>, health: Health) -> Self {
        let (position, _) = watch::channel(0);
        let name = consumer.name().to_owned();
        Self {
            consumer,
            source,
            health,
            policy: RetryPolicy::default(),
            batch_size: DEFAULT_BATCH_SIZE,
            position,
            name,
        }
    }

    /// Sets the most events per batch (at least 1).
    pub fn with_batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size.max(1);
        self
    }

    /// Sets the retry policy.
    pub fn with_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = RetryPolicy { attempts: policy.attempts.max(1), ..policy };
        self
    }

    /// The last position the consumer committed, as this runner saw it.
    pub fn position(&self) -> watch::Receiver<u64> {
        self.position.subscribe()
    }

    /// Runs until `shutdown` resolves; the work in hand finishes first.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) {
        self.health.register(&self.name, self.source.kind());
        let mut shutdown = std::pin::pin!(shutdown);
        let mut shutdown: Shutdown<'_> = shutdown.as_mut();
        if let Some((checkpoint, feed)) = self.open(shutdown.as_mut()).await {
            self.follow(checkpoint, feed, shutdown.as_mut()).await;
        }
        self.health.update(&self.name, |state| state.condition = Condition::Stopped);
        tracing::info!(consumer = %self.name, position = *self.position.borrow(), "consumer stopped");
    }

    /// Runs on a new task; stop it with [`Running::stop`] (or by dropping the handle).
    /// A panic inside the consumer marks it failed on the health board.
    pub fn spawn(self) -> Running {
        let position = self.position();
        let (health, name) = (self.health.clone(), self.name.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let run = std::panic::AssertUnwindSafe(self.run(async move {
                // Resolves on `stop` and when the handle is dropped.
                let _ = stopped.await;
            }));
            if let Err(panic) = run.catch_unwind().await {
                let message = panic_message(&panic);
                tracing::error!(consumer = %name, %message, "consumer panicked; stopped");
                health.update(&name, |state| {
                    state.condition = Condition::Failed;
                    state.error = Some(format!("panicked: {message}"));
                });
            }
        });
        Running { position, stop: Some(stop), task }
    }

    /// Reads the checkpoint and opens the feed there, retrying until it works or a stop.
    async fn open(&self, mut shutdown: Shutdown<'_>) -> Option<(u64, Box<dyn Feed>)> {
        let mut attempt = 1;
        loop {
            let opened = async {
                let checkpoint = self.consumer.store().checkpoint(&self.name).await.map_err(ConsumeError::from)?;
                let feed = self.source.open(&self.name, checkpoint).await.map_err(ConsumeError::from)?;
                Ok::<_, ConsumeError>((checkpoint, feed))
            }
            .await;
            match opened {
                Ok((checkpoint, feed)) => {
                    self.position.send_replace(checkpoint);
                    let parked =
                        parked::list(self.consumer.store().as_ref(), Some(&self.name)).await.map_or(0, |p| p.len());
                    self.health.update(&self.name, |state| {
                        state.condition = Condition::Running;
                        state.position = checkpoint;
                        state.parked = parked as u64;
                        state.error = None;
                    });
                    tracing::info!(consumer = %self.name, source = self.source.kind(), checkpoint, "consumer resuming");
                    return Some((checkpoint, feed));
                }
                Err(error) => {
                    self.note_failure(&error, "opening the feed failed; retrying");
                    if self.pause(self.policy.backoff(attempt), shutdown.as_mut()).await {
                        return None;
                    }
                    attempt = attempt.saturating_add(1);
                }
            }
        }
    }

    /// The main loop: batches, timer work and replays until a stop.
    async fn follow(&self, mut checkpoint: u64, mut feed: Box<dyn Feed>, mut shutdown: Shutdown<'_>) {
        let tick_every = self.consumer.tick_every().map(|every| every.max(Duration::from_millis(10)));
        let mut next_tick = tick_every.map(|every| Instant::now() + every);
        let mut next_replay = Instant::now() + REPLAY_CHECK;
        let mut feed_failures = 0u32;
        loop {
            let due = next_tick.map_or(next_replay, |tick| tick.min(next_replay));
            let wait = due.saturating_duration_since(Instant::now()).min(MAX_WAIT);
            if !wait.is_zero() {
                let fetched = tokio::select! {
                    biased;
                    () = shutdown.as_mut() => return,
                    fetched = feed.next_batch(self.batch_size, wait) => fetched,
                };
                match fetched {
                    Ok(mut batch) => {
                        feed_failures = 0;
                        // Redeliveries of what is already committed.
                        batch.retain(|event| event.global_position > checkpoint);
                        if !batch.is_empty() {
                            match self.handle(&batch, shutdown.as_mut()).await {
                                Some(committed) => checkpoint = committed,
                                None => return,
                            }
                            if let Err(error) = feed.ack(checkpoint).await {
                                tracing::warn!(consumer = %self.name, %error, "acknowledging the feed failed; it may redeliver");
                            }
                            self.finish(self.consumer.after_commit(), shutdown.as_mut()).await;
                        }
                    }
                    Err(error) => {
                        feed_failures = feed_failures.saturating_add(1);
                        self.note_failure(&error.into(), "reading the feed failed; reopening it");
                        if self.pause(self.policy.backoff(feed_failures), shutdown.as_mut()).await {
                            return;
                        }
                        match self.open(shutdown.as_mut()).await {
                            Some((stored, reopened)) => (checkpoint, feed) = (stored, reopened),
                            None => return,
                        }
                        continue;
                    }
                }
            }
            let now = Instant::now();
            if let (Some(every), Some(tick)) = (tick_every, next_tick)
                && tick <= now
            {
                let consumer = Arc::clone(&self.consumer);
                let name = self.name.clone();
                let work = async move {
                    if let Err(error) = consumer.tick().await {
                        tracing::warn!(consumer = %name, error = %chain(error.as_ref()), "timer work failed; the next tick retries");
                    }
                };
                self.finish(work, shutdown.as_mut()).await;
                next_tick = Some(Instant::now() + every);
            }
            if next_replay <= now {
                self.replay_parked().await;
                next_replay = Instant::now() + REPLAY_CHECK;
            }
        }
    }

    /// Handles a batch to its end: committed, parked, or (on a stop between attempts)
    /// left for the next start. Returns the new checkpoint, `None` on a stop.
    async fn handle(&self, batch: &[RecordedEvent], mut shutdown: Shutdown<'_>) -> Option<u64> {
        match self.attempt(batch, shutdown.as_mut()).await {
            Outcome::Committed(position) => Some(position),
            Outcome::Stopped => None,
            Outcome::GaveUp => {
                tracing::warn!(consumer = %self.name, events = batch.len(), "batch keeps failing; trying its events one by one");
                let mut committed = None;
                for event in batch {
                    match self.attempt(std::slice::from_ref(event), shutdown.as_mut()).await {
                        Outcome::Committed(position) => committed = Some(position),
                        Outcome::Stopped => return None,
                        // A single event is parked, never given up on.
                        Outcome::GaveUp => return None,
                    }
                }
                committed
            }
        }
    }

    /// Tries a batch until it commits. When the attempts run out while the consumer's
    /// dependencies answer, a single event is parked and a larger batch given up on.
    async fn attempt(&self, batch: &[RecordedEvent], mut shutdown: Shutdown<'_>) -> Outcome {
        let mut attempt = 1;
        loop {
            let error = match self.commit(batch).await {
                Ok(position) => {
                    self.committed(position);
                    return Outcome::Committed(position);
                }
                Err(error) => error,
            };
            let position = batch.last().map_or(0, |event| event.global_position);
            self.note_failure(&error, "batch failed; retrying");
            tracing::debug!(consumer = %self.name, position, attempt, "batch attempt failed");
            if attempt >= self.policy.attempts {
                match self.consumer.probe().await {
                    Ok(()) => match batch {
                        [event] => match self.park(event, &error, attempt).await {
                            Ok(position) => return Outcome::Committed(position),
                            Err(park_error) => {
                                self.note_failure(&park_error, "parking a message failed; retrying");
                            }
                        },
                        _ => return Outcome::GaveUp,
                    },
                    Err(probe) => {
                        // An outage: keep the batch, keep trying at the longest back-off.
                        self.note_failure(&probe, "a dependency is down; the batch waits for it");
                    }
                }
            }
            if self.pause(self.policy.backoff(attempt), shutdown.as_mut()).await {
                return Outcome::Stopped;
            }
            attempt = attempt.saturating_add(1).min(self.policy.attempts);
        }
    }

    /// One attempt: the consumer handles the batch, its writes commit with the
    /// checkpoint. Returns the checkpoint now stored.
    async fn commit(&self, batch: &[RecordedEvent]) -> Result<u64, ConsumeError> {
        let Some(last) = batch.last().map(|event| event.global_position) else {
            return Ok(*self.position.borrow());
        };
        let writes = self.consumer.handle(batch).await?;
        let store = self.consumer.store();
        if store.commit(&self.name, writes, last).await? {
            Ok(last)
        } else {
            // Someone else (another process, a rebuild) got further; trust the store.
            let stored = store.checkpoint(&self.name).await?;
            tracing::warn!(consumer = %self.name, position = last, stored, "batch was already applied");
            Ok(stored)
        }
    }

    /// Parks `event`: its entry commits with the checkpoint moved past it.
    async fn park(&self, event: &RecordedEvent, error: &ConsumeError, attempts: u32) -> Result<u64, ConsumeError> {
        let entry = ParkedMessage::new(&self.name, event, chain(error.as_ref()), attempts);
        let store = self.consumer.store();
        store.commit(&self.name, vec![entry.put()?], event.global_position).await?;
        tracing::error!(
            consumer = %self.name,
            position = event.global_position,
            stream = %event.stream_id,
            event_type = %event.event_type,
            reason = %entry.reason,
            "message parked after {attempts} attempts; the rest flows on"
        );
        self.health.update(&self.name, |state| state.parked += 1);
        let position = store.checkpoint(&self.name).await?;
        self.committed(position);
        Ok(position)
    }

    /// Tries again every parked entry `dlq replay` sent back: success removes the
    /// entry (with the writes, outside the checkpoint), failure records the new reason.
    async fn replay_parked(&self) {
        let store = self.consumer.store();
        let entries = match parked::replay_requested(store.as_ref(), &self.name).await {
            Ok(entries) => entries,
            Err(error) => {
                tracing::warn!(consumer = %self.name, %error, "reading parked messages failed");
                return;
            }
        };
        for mut entry in entries {
            let outcome: Result<(), ConsumeError> = async {
                let event =
                    self.source.event_at(entry.position).await?.ok_or_else(|| {
                        format!("the event at position {} is no longer in the source", entry.position)
                    })?;
                let mut writes = self.consumer.handle(std::slice::from_ref(&event)).await?;
                writes.push(entry.delete());
                store.write(&self.name, writes).await?;
                Ok(())
            }
            .await;
            match outcome {
                Ok(()) => {
                    tracing::info!(consumer = %self.name, position = entry.position, "parked message replayed");
                    self.health.update(&self.name, |state| state.parked = state.parked.saturating_sub(1));
                }
                Err(error) => {
                    entry.attempts = entry.attempts.saturating_add(1);
                    entry.reason = chain(error.as_ref());
                    entry.replay_requested = false;
                    tracing::warn!(consumer = %self.name, position = entry.position, reason = %entry.reason, "replaying a parked message failed; it stays parked");
                    let written = match entry.put() {
                        Ok(put) => store.write(&self.name, vec![put]).await,
                        Err(error) => Err(error),
                    };
                    if let Err(error) = written {
                        tracing::warn!(consumer = %self.name, %error, "recording the failed replay failed");
                    }
                }
            }
        }
    }

    /// Runs `work` to its end; if a stop comes first, tells the consumer (so it starts
    /// nothing new) and still waits for `work`.
    async fn finish(&self, work: impl Future<Output = ()>, shutdown: Shutdown<'_>) {
        let mut work = std::pin::pin!(work);
        tokio::select! {
            biased;
            () = &mut work => {}
            () = shutdown => {
                self.consumer.stopping();
                work.await;
            }
        }
    }

    /// Sleeps `wait`; `true` if a stop came first.
    async fn pause(&self, wait: Duration, shutdown: Shutdown<'_>) -> bool {
        tokio::select! {
            biased;
            () = shutdown => {
                self.consumer.stopping();
                true
            }
            () = tokio::time::sleep(wait) => false,
        }
    }

    fn committed(&self, position: u64) {
        self.position.send_replace(position);
        self.health.update(&self.name, |state| {
            state.condition = Condition::Running;
            state.position = position;
            state.error = None;
        });
    }

    fn note_failure(&self, error: &ConsumeError, what: &str) {
        let reason = chain(error.as_ref());
        tracing::warn!(consumer = %self.name, error = %reason, "{what}");
        self.health.update(&self.name, |state| {
            state.condition = Condition::Retrying;
            state.error = Some(reason);
        });
    }
}

/// An error with its causes, `outer: inner: …`.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}

/// A runner on its own task.
#[derive(Debug)]
pub struct Running {
    position: watch::Receiver<u64>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Running {
    /// The last position the consumer committed.
    pub fn position(&self) -> watch::Receiver<u64> {
        self.position.clone()
    }

    /// Waits until `position` is committed; `false` on timeout or if the runner ended.
    pub async fn wait_for(&self, position: u64, timeout: Duration) -> bool {
        let mut seen = self.position.clone();
        matches!(tokio::time::timeout(timeout, seen.wait_for(|p| *p >= position)).await, Ok(Ok(_)))
    }

    /// True once the runner's task has ended.
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }

    /// Asks the runner to stop once the work in hand is done, and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}
