//! The relay: the event store is the outbox, and this publishes it to JetStream.
//!
//! It tails the log in its gap-free global order and publishes every event with
//! `Nats-Expected-Last-Sequence` = position − 1, so JetStream stores each event at
//! sequence = global position or refuses it. Publishes are pipelined: up to
//! [`Relay::window`] acks may be outstanding, and since each publish names the
//! sequence it must follow, a lost or refused one can never let a later one land at
//! the wrong sequence.
//!
//! On start, and whenever JetStream refuses a publish (another relay got there
//! first), it reads the stream's last sequence, checks that the message there is the
//! log's event at that position, and resumes right after it: nothing is skipped and
//! nothing stored twice. `Nats-Msg-Id` = event id is the second guard: JetStream
//! checks it before the expected sequence, so a second relay's publish of an event
//! already stored is answered as a duplicate at that event's sequence (within the
//! dedupe window; after it, as a refusal). Only one relay should run at a time (the
//! leader lock in `emporium relay`); a second one is harmless, only wasteful.

use std::future::{Future, IntoFuture};
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream::context::PublishErrorKind;
use async_nats::jetstream::message::PublishMessage;
use async_nats::jetstream::{self, stream::RawMessageErrorKind};
use futures::FutureExt as _;
use futures::future::BoxFuture;
use futures::stream::{FuturesOrdered, StreamExt};
use tokio::sync::watch;

use super::contract::{self, MSG_ID, STREAM};
use super::error::BusError;
use crate::event_store::{self, EventStore, RecordedEvent};

/// Outstanding publish acks by default.
pub const DEFAULT_WINDOW: usize = 256;
/// How often progress and lag are logged by default.
const PROGRESS_EVERY: Duration = Duration::from_secs(10);
/// Wait before trying again after a failure (NATS or the store unreachable).
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// Publishes the event log to the `EMPORIUM_EVENTS` stream until shut down.
pub struct Relay {
    store: Arc<dyn EventStore>,
    js: jetstream::Context,
    replicas: usize,
    window: usize,
    progress_every: Duration,
    retry_after: Duration,
    published: watch::Sender<u64>,
}

impl std::fmt::Debug for Relay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relay")
            .field("replicas", &self.replicas)
            .field("window", &self.window)
            .field("published", &*self.published.borrow())
            .finish_non_exhaustive()
    }
}

/// Why one publishing run ended.
enum Stop {
    /// The shutdown future resolved.
    Shutdown,
    /// JetStream refused a publish: the stream moved under us.
    Refused(u64),
    /// Something failed; try again after a pause (unless fatal).
    Failed(BusError),
}

impl Relay {
    /// A relay from `store` to the stream on `js`, created with `replicas` if missing.
    pub fn new(store: Arc<dyn EventStore>, js: jetstream::Context, replicas: usize) -> Self {
        Self {
            store,
            js,
            replicas,
            window: DEFAULT_WINDOW,
            progress_every: PROGRESS_EVERY,
            retry_after: RETRY_AFTER,
            published: watch::channel(0).0,
        }
    }

    /// At most this many publishes awaiting their ack (at least 1).
    pub fn window(mut self, window: usize) -> Self {
        self.window = window.max(1);
        self
    }

    /// How often to log progress and lag.
    pub fn progress_every(mut self, every: Duration) -> Self {
        self.progress_every = every.max(Duration::from_millis(100));
        self
    }

    /// The highest position known to be in the stream (acked by JetStream); 0 until
    /// the relay has looked.
    pub fn published(&self) -> watch::Receiver<u64> {
        self.published.subscribe()
    }

    /// Publishes until `shutdown` resolves, then waits for the outstanding acks and
    /// returns. Failures of NATS or the store are logged and retried; only a stream
    /// that does not mirror the log ([`BusError::Diverged`]) ends it with an error.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) -> Result<(), BusError> {
        let mut shutdown = pin!(shutdown);
        let mut pause = false;
        loop {
            if pause {
                tokio::select! {
                    () = shutdown.as_mut() => return Ok(()),
                    () = tokio::time::sleep(self.retry_after) => {}
                }
            }
            pause = true;
            let resumed = tokio::select! {
                () = shutdown.as_mut() => return Ok(()),
                resumed = self.resume_point() => resumed,
            };
            let after = match resumed {
                Ok(after) => after,
                Err(error) if error.is_fatal() => return Err(error),
                Err(error) => {
                    tracing::warn!(error = %error, "relay cannot read the stream's position; trying again");
                    continue;
                }
            };
            self.published.send_if_modified(|published| std::mem::replace(published, after) != after);
            tracing::info!(after, stream = STREAM, "relay publishing the log after position {after}");
            match self.publish_from(after, shutdown.as_mut()).await {
                Stop::Shutdown => {
                    tracing::info!(published = *self.published.borrow(), "relay stopped");
                    return Ok(());
                }
                Stop::Refused(position) => {
                    tracing::info!(
                        position,
                        "JetStream refused a publish (another publisher got there first); resyncing"
                    );
                    pause = false;
                }
                Stop::Failed(error) if error.is_fatal() => return Err(error),
                Stop::Failed(error) => {
                    tracing::warn!(error = %error, "relay publishing failed; resyncing");
                }
            }
        }
    }

    /// The stream's last sequence, after checking that it holds the log's event there.
    async fn resume_point(&self) -> Result<u64, BusError> {
        let stream = contract::ensure_stream(&self.js, self.replicas).await?;
        let last = stream.cached_info().state.last_sequence;
        if last == 0 {
            return Ok(0);
        }
        let head = self.store.head_position().await?;
        if last > head {
            return Err(BusError::Diverged(format!(
                "its last sequence is {last}, but the event log ends at position {head}"
            )));
        }
        let message = match stream.get_raw_message(last).await {
            Ok(message) => message,
            Err(error) if error.kind() == RawMessageErrorKind::NoMessageFound => {
                return Err(BusError::Diverged(format!("it has no message at its last sequence {last}")));
            }
            Err(error) => return Err(BusError::nats(format!("reading the stream's message {last}"))(error)),
        };
        let logged = self.store.read_all(last - 1, 1).await?;
        let expected = logged.first().filter(|event| event.global_position == last).ok_or_else(|| {
            BusError::Diverged(format!("the event log has no event at position {last}, the stream's last sequence"))
        })?;
        let found = contract::header(Some(&message.headers), MSG_ID);
        if found != Some(expected.event_id.to_string().as_str()) {
            return Err(BusError::Diverged(format!(
                "sequence {last} holds message id {found:?}, but the log's event at that position is {}",
                expected.event_id
            )));
        }
        Ok(last)
    }

    /// Tails the log after `after` and publishes until told to stop or something fails.
    async fn publish_from(&self, after: u64, mut shutdown: Pin<&mut (impl Future<Output = ()> + Send)>) -> Stop {
        let mut log = event_store::tail(self.store.clone(), after);
        let mut in_flight: FuturesOrdered<BoxFuture<'static, (u64, Result<u64, PublishFailure>)>> =
            FuturesOrdered::new();
        let mut progress = tokio::time::interval(self.progress_every);
        progress.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        progress.tick().await;
        let mut logged = (after, Instant::now());
        let mut stop = None;
        while stop.is_none() {
            tokio::select! {
                biased;
                Some((position, acked)) = in_flight.next(), if !in_flight.is_empty() => {
                    stop = self.settle(position, acked);
                }
                () = shutdown.as_mut() => stop = Some(Stop::Shutdown),
                _ = progress.tick() => logged = self.log_progress(logged).await,
                next = log.next(), if in_flight.len() < self.window => match next {
                    Some(Ok(event)) => match self.publish(&event).await {
                        Ok(ack) => in_flight.push_back(ack),
                        Err(error) => stop = Some(Stop::Failed(error)),
                    },
                    Some(Err(error)) => {
                        // The tail tries again by itself from where it stopped.
                        tracing::warn!(error = %error, "relay cannot read the event log; retrying");
                    }
                    None => stop = Some(Stop::Failed(BusError::Diverged("the event log's tail ended".to_owned()))),
                },
            }
        }
        // Finish what is in flight: each ack settles or times out on its own.
        while let Some((position, acked)) = in_flight.next().await {
            if let Some(Stop::Failed(error)) = self.settle(position, acked)
                && error.is_fatal()
            {
                stop = Some(Stop::Failed(error));
            }
        }
        stop.unwrap_or(Stop::Shutdown)
    }

    /// Sends one event; the returned future resolves with its ack.
    async fn publish(
        &self,
        event: &RecordedEvent,
    ) -> Result<BoxFuture<'static, (u64, Result<u64, PublishFailure>)>, BusError> {
        let position = event.global_position;
        let wire = contract::encode(event).map_err(|error| {
            BusError::Diverged(format!("the event at position {position} cannot be serialized: {error}"))
        })?;
        let message = PublishMessage::build()
            .payload(wire.payload.into())
            .headers(wire.headers)
            .expected_last_sequence(position - 1);
        let ack = self
            .js
            .send_publish(wire.subject, message)
            .await
            .map_err(BusError::nats(format!("publishing the event at position {position}")))?;
        Ok(ack
            .into_future()
            .map(move |acked| {
                let acked = acked.map(|ack| ack.sequence).map_err(|error| match error.kind() {
                    PublishErrorKind::WrongLastSequence => PublishFailure::Refused,
                    _ => PublishFailure::Failed(
                        BusError::nats(format!("publishing the event at position {position}"))(error),
                    ),
                });
                (position, acked)
            })
            .boxed())
    }

    /// Records one ack; `Some` when publishing must stop.
    fn settle(&self, position: u64, acked: Result<u64, PublishFailure>) -> Option<Stop> {
        match acked {
            Ok(sequence) if sequence == position => {
                // An ack at P means the stream holds 1..=P, whatever else is in flight.
                self.published.send_if_modified(|published| {
                    let advanced = position > *published;
                    *published = (*published).max(position);
                    advanced
                });
                None
            }
            Ok(sequence) => Some(Stop::Failed(BusError::Diverged(format!(
                "the event at position {position} was stored at sequence {sequence}"
            )))),
            Err(PublishFailure::Refused) => Some(Stop::Refused(position)),
            Err(PublishFailure::Failed(error)) => Some(Stop::Failed(error)),
        }
    }

    /// Logs how far the relay is and how far behind the log; returns the new mark.
    async fn log_progress(&self, (last_position, last_time): (u64, Instant)) -> (u64, Instant) {
        let published = *self.published.borrow();
        let now = Instant::now();
        match self.store.head_position().await {
            Ok(head) if published != last_position || head > published => {
                let rate =
                    (published.saturating_sub(last_position)) as f64 / now.duration_since(last_time).as_secs_f64();
                tracing::info!(
                    published,
                    head,
                    lag = head.saturating_sub(published),
                    rate = rate.round(),
                    "relay progress"
                );
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(error = %error, published, "relay cannot read the log's head"),
        }
        (published, now)
    }
}

/// How one publish failed.
enum PublishFailure {
    /// Wrong last sequence: someone else published that position.
    Refused,
    /// Anything else.
    Failed(BusError),
}
