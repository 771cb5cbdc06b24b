//! The `EventSource` port: where a log consumer gets its events from. Adapters: the
//! store's own tail ([`StoreTail`](super::StoreTail), the embedded default) and a
//! durable JetStream pull consumer (`bus::JetStreamSource`, with `--bus nats://…`).

use std::time::Duration;

use async_trait::async_trait;

use crate::event_store::RecordedEvent;

/// Why a source could not deliver.
#[derive(Debug, thiserror::Error)]
#[error("{context}: {message}")]
pub struct SourceError {
    /// What was being done.
    pub context: String,
    /// The cause, as text (sources wrap errors of different crates).
    pub message: String,
}

impl SourceError {
    /// An error with context.
    pub fn new(context: impl Into<String>, cause: impl std::fmt::Display) -> Self {
        Self { context: context.into(), message: cause.to_string() }
    }
}

/// Opens feeds of the global log for named consumers.
#[async_trait]
pub trait EventSource: Send + Sync + 'static {
    /// Opens the feed of consumer `name` (its durable name), delivering every event
    /// with `global_position > after` in global order. `after` is the consumer's own
    /// committed checkpoint, which wins over anything the source remembers.
    async fn open(&self, name: &str, after: u64) -> Result<Box<dyn Feed>, SourceError>;

    /// The event at `position`, if the source still holds it (to replay a parked one).
    async fn event_at(&self, position: u64) -> Result<Option<RecordedEvent>, SourceError>;

    /// A short name for logs and health (`store-tail`, `jetstream`).
    fn kind(&self) -> &'static str;
}

/// One consumer's open feed.
#[async_trait]
pub trait Feed: Send {
    /// The next events in order, at most `max`; an empty batch when none came within
    /// `wait`. Dropping the future mid-way loses nothing: undelivered events come again.
    async fn next_batch(&mut self, max: usize, wait: Duration) -> Result<Vec<RecordedEvent>, SourceError>;

    /// Everything up to `position` is committed by the consumer (JetStream: ack).
    async fn ack(&mut self, position: u64) -> Result<(), SourceError>;
}
