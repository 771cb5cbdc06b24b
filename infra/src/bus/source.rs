//! [`JetStreamSource`]: the [`EventSource`] of `--bus nats://…`. Each feed is a
//! durable pull consumer on `EMPORIUM_EVENTS`, named after the log consumer.
//!
//! The consumer's own checkpoint wins over what JetStream remembers: `open(name,
//! after)` reuses the durable only when everything up to `after` and nothing beyond
//! it was delivered and acked (a clean stop); otherwise it deletes the durable and
//! creates it again to deliver from `after + 1`. That makes a consumer that committed
//! but crashed before acking resume at once instead of waiting out `ack_wait`, and a
//! consumer whose checkpoint went back (a rebuild) get the log again.
//!
//! A feed delivers strictly increasing positions: a message at or below the last
//! delivered one is a redelivery and is dropped (and acked again when the consumer had
//! acked it already). A jump past the next position means messages were lost on the
//! way (say, to a pull request of a dead process): the durable is re-created from the
//! next position, once per gap; if the gap is still there afterwards, the stream no
//! longer holds those messages, and the feed logs them at `error` and goes on.
//!
//! A message whose body is not an event envelope (see [`contract::decode`]) is
//! reported once: `next_batch` returns it as a [`SourceError`] (after the events
//! before it), logs it with its position at `error` level, acks it and moves past
//! it. It is not turned into a placeholder event, because no consumer could apply
//! one correctly, and it must not stop the feed for ever; the error reaches the
//! runner's health and logs, and `event_at` shows the raw position for an operator.

use std::collections::VecDeque;
use std::time::Duration;

use async_nats::jetstream::consumer::{AckPolicy, DeliverPolicy, pull};
use async_nats::jetstream::context::ConsumerInfoErrorKind;
use async_nats::jetstream::stream::{RawMessageErrorKind, Stream};
use async_nats::jetstream::{self, Message};
use async_trait::async_trait;
use futures::{FutureExt as _, StreamExt as _};
use tokio::time::Instant;

use super::contract::{self, STREAM};
use super::error::BusError;
use crate::event_store::RecordedEvent;
use crate::follow::source::{EventSource, Feed, SourceError};

/// How a feed's durable consumer and its pulls are set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedSettings {
    /// How long JetStream waits for an ack before it delivers a message again.
    pub ack_wait: Duration,
    /// Delivered but unacked messages before JetStream pauses the consumer.
    pub max_ack_pending: i64,
    /// Messages asked for per pull request.
    pub pull_batch: usize,
    /// How long one pull request stays open on the server.
    pub pull_expires: Duration,
    /// Idle heartbeat asked for on each pull request (a dead connection is noticed
    /// after two missed ones).
    pub pull_heartbeat: Duration,
}

impl Default for FeedSettings {
    fn default() -> Self {
        Self {
            ack_wait: Duration::from_secs(60),
            max_ack_pending: 4096,
            pull_batch: 256,
            pull_expires: Duration::from_secs(30),
            pull_heartbeat: Duration::from_secs(5),
        }
    }
}

/// Feeds from durable pull consumers on the `EMPORIUM_EVENTS` stream.
#[derive(Clone)]
pub struct JetStreamSource {
    stream: Stream,
    settings: FeedSettings,
}

impl std::fmt::Debug for JetStreamSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JetStreamSource").field("settings", &self.settings).finish_non_exhaustive()
    }
}

impl JetStreamSource {
    /// A source on `js`; creates the stream (with `replicas`) if the relay has not yet.
    pub async fn new(js: &jetstream::Context, replicas: usize) -> Result<Self, BusError> {
        let stream = contract::open_stream(js, replicas).await?;
        Ok(Self { stream, settings: FeedSettings::default() })
    }

    /// The same source with other consumer settings (for feeds opened afterwards).
    pub fn with_settings(mut self, settings: FeedSettings) -> Self {
        self.settings = settings;
        self
    }
}

/// The durable consumer name of log consumer `name`: JetStream names may not hold
/// `.`, `*`, `>`, `/`, `\` or whitespace, so every character other than ASCII letters,
/// digits, `-` and `_` becomes `_` (so `projection:orders` is `projection_orders`).
pub fn durable_name(name: &str) -> String {
    if name.is_empty() {
        return "_".to_owned();
    }
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

#[async_trait]
impl EventSource for JetStreamSource {
    async fn open(&self, name: &str, after: u64) -> Result<Box<dyn Feed>, SourceError> {
        let mut feed = JetStreamFeed {
            stream: self.stream.clone(),
            durable: durable_name(name),
            settings: self.settings,
            messages: None,
            last: after,
            acked: after,
            ready: Vec::new(),
            held: VecDeque::new(),
            poisoned: None,
            gap: None,
        };
        feed.attach(true).await?;
        Ok(Box::new(feed))
    }

    async fn event_at(&self, position: u64) -> Result<Option<RecordedEvent>, SourceError> {
        if position == 0 {
            return Ok(None);
        }
        match self.stream.get_raw_message(position).await {
            Ok(message) => contract::decode(position, &message.payload)
                .map(Some)
                .map_err(|error| SourceError::new(format!("reading the event at position {position}"), error)),
            Err(error) if error.kind() == RawMessageErrorKind::NoMessageFound => Ok(None),
            Err(error) => Err(SourceError::new(format!("reading message {position} of the stream {STREAM}"), error)),
        }
    }

    fn kind(&self) -> &'static str {
        "jetstream"
    }
}

/// One consumer's feed: a durable pull consumer and the messages taken from it.
struct JetStreamFeed {
    stream: Stream,
    durable: String,
    settings: FeedSettings,
    /// The open pull subscription; `None` until (re)attached.
    messages: Option<pull::Stream>,
    /// The highest position taken in order (returned, or waiting in `ready`).
    last: u64,
    /// The highest position the consumer acked.
    acked: u64,
    /// Events taken but not yet returned; a cancelled `next_batch` leaves them here.
    ready: Vec<(RecordedEvent, Message)>,
    /// Returned and not yet acked, oldest first.
    held: VecDeque<(u64, Message)>,
    /// An undecodable message to report on the next call (events before it went first).
    poisoned: Option<SourceError>,
    /// The last gap re-attached for: (expected position, position that came).
    gap: Option<(u64, u64)>,
}

/// What taking one message did.
enum Taken {
    /// An event joined `ready`, or a redelivery was dropped.
    Fine,
    /// Positions are missing: re-attach from `last + 1`.
    Gap,
    /// The message is not an event; report this once.
    Poison(SourceError),
}

impl JetStreamFeed {
    /// Opens the pull subscription on a durable that delivers from `last + 1`:
    /// the existing durable when `reuse` and it is exactly there, else a new one.
    async fn attach(&mut self, reuse: bool) -> Result<(), SourceError> {
        self.messages = None;
        let after = self.last;
        let existing = match self.stream.consumer_info(&self.durable).await {
            Ok(info) => Some(info),
            Err(error) if error.kind() == ConsumerInfoErrorKind::NotFound => None,
            Err(error) => return Err(SourceError::new(format!("looking up the consumer {}", self.durable), error)),
        };
        let consumer = match existing {
            Some(info) if reuse && self.fits(&info, after) => {
                tracing::debug!(consumer = %self.durable, after, "reusing the durable consumer");
                self.stream
                    .get_consumer::<pull::Config>(&self.durable)
                    .await
                    .map_err(|error| SourceError::new(format!("binding to the consumer {}", self.durable), error))?
            }
            existing => {
                if existing.is_some() {
                    self.stream
                        .delete_consumer(&self.durable)
                        .await
                        .map_err(|error| SourceError::new(format!("deleting the consumer {}", self.durable), error))?;
                }
                tracing::debug!(consumer = %self.durable, after, "creating the durable consumer");
                self.stream.create_consumer(self.config(after)).await.map_err(|error| {
                    SourceError::new(format!("creating the consumer {} after position {after}", self.durable), error)
                })?
            }
        };
        let messages = consumer
            .stream()
            .max_messages_per_batch(self.settings.pull_batch)
            .expires(self.settings.pull_expires)
            .heartbeat(self.settings.pull_heartbeat)
            .messages()
            .await
            .map_err(|error| SourceError::new(format!("pulling from the consumer {}", self.durable), error))?;
        self.messages = Some(messages);
        Ok(())
    }

    /// Whether an existing durable delivers exactly from `after + 1` with our settings.
    fn fits(&self, info: &jetstream::consumer::Info, after: u64) -> bool {
        let config = &info.config;
        config.deliver_subject.is_none()
            && config.ack_policy == AckPolicy::Explicit
            && config.filter_subject.is_empty()
            && config.ack_wait == self.settings.ack_wait
            && config.max_ack_pending == self.settings.max_ack_pending
            && info.ack_floor.stream_sequence == after
            && info.delivered.stream_sequence == after
            && info.num_ack_pending == 0
    }

    fn config(&self, after: u64) -> pull::Config {
        pull::Config {
            durable_name: Some(self.durable.clone()),
            description: Some(format!("Emporium log consumer {}", self.durable)),
            deliver_policy: if after == 0 {
                DeliverPolicy::All
            } else {
                DeliverPolicy::ByStartSequence { start_sequence: after + 1 }
            },
            ack_policy: AckPolicy::Explicit,
            ack_wait: self.settings.ack_wait,
            max_ack_pending: self.settings.max_ack_pending,
            ..pull::Config::default()
        }
    }

    /// Sorts one message into `ready`, or drops, or reports it.
    async fn take(&mut self, message: Message) -> Taken {
        let position = match message.info() {
            Ok(info) => info.stream_sequence,
            Err(error) => {
                tracing::error!(consumer = %self.durable, %error, "a message without JetStream metadata; dropped");
                return Taken::Fine;
            }
        };
        if position <= self.last {
            // A redelivery: ours already, or acked long ago.
            if position <= self.acked {
                let _ = message.ack().await;
            }
            return Taken::Fine;
        }
        let expected = self.last + 1;
        if position > expected {
            if self.gap != Some((expected, position)) {
                tracing::warn!(consumer = %self.durable, expected, got = position, "gap in the feed; re-creating the consumer");
                self.gap = Some((expected, position));
                return Taken::Gap;
            }
            tracing::error!(
                consumer = %self.durable,
                from = expected,
                to = position - 1,
                "the stream has no messages at these positions; going on after them"
            );
        }
        match contract::decode(position, &message.payload) {
            Ok(event) => {
                self.last = position;
                self.ready.push((event, message));
                Taken::Fine
            }
            Err(error) => {
                tracing::error!(consumer = %self.durable, position, %error, "skipping a message that is not an Emporium event");
                // The consumer never gets it, so nothing would ever ack it.
                let _ = message.ack().await;
                self.last = position;
                Taken::Poison(SourceError::new(format!("the message at position {position} was skipped"), error))
            }
        }
    }

    /// Moves up to `max` events from `ready` into `held` and returns them.
    fn hand_out(&mut self, max: usize) -> Vec<RecordedEvent> {
        let count = self.ready.len().min(max);
        let mut events = Vec::with_capacity(count);
        for (event, message) in self.ready.drain(..count) {
            self.held.push_back((event.global_position, message));
            events.push(event);
        }
        events
    }
}

#[async_trait]
impl Feed for JetStreamFeed {
    async fn next_batch(&mut self, max: usize, wait: Duration) -> Result<Vec<RecordedEvent>, SourceError> {
        if self.ready.is_empty()
            && let Some(error) = self.poisoned.take()
        {
            return Err(error);
        }
        let max = max.max(1);
        let deadline = Instant::now() + wait;
        while self.ready.len() < max && self.poisoned.is_none() {
            if self.messages.is_none() {
                if !self.ready.is_empty() {
                    break;
                }
                match tokio::time::timeout_at(deadline, self.attach(false)).await {
                    Err(_) => break,
                    Ok(attached) => attached?,
                }
            }
            let Some(messages) = self.messages.as_mut() else { break };
            // Waits for the first event only; then takes what is already here.
            let next = if self.ready.is_empty() {
                match tokio::time::timeout_at(deadline, messages.next()).await {
                    Err(_) => break,
                    Ok(next) => next,
                }
            } else {
                match messages.next().now_or_never() {
                    None => break,
                    Some(next) => next,
                }
            };
            let message = match next {
                Some(Ok(message)) => message,
                Some(Err(error)) => {
                    self.messages = None;
                    if self.ready.is_empty() {
                        return Err(SourceError::new(format!("pulling from the consumer {}", self.durable), error));
                    }
                    tracing::warn!(consumer = %self.durable, %error, "pulling failed; delivering what came");
                    break;
                }
                None => {
                    self.messages = None;
                    continue;
                }
            };
            match self.take(message).await {
                Taken::Fine => {}
                Taken::Gap => self.messages = None,
                Taken::Poison(error) if self.ready.is_empty() => return Err(error),
                Taken::Poison(error) => self.poisoned = Some(error),
            }
        }
        Ok(self.hand_out(max))
    }

    async fn ack(&mut self, position: u64) -> Result<(), SourceError> {
        while let Some((held, message)) = self.held.pop_front() {
            if held > position {
                self.held.push_front((held, message));
                break;
            }
            if let Err(error) = message.ack().await {
                self.held.push_front((held, message));
                return Err(SourceError::new(format!("acking position {held} on {}", self.durable), error));
            }
        }
        self.acked = self.acked.max(position.min(self.last));
        Ok(())
    }
}
