//! The embedded [`EventSource`]: each feed tails the event store itself (in this
//! process, woken by its own commits, polling for other processes' commits).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures::StreamExt;
use futures::stream::BoxStream;

use super::source::{EventSource, Feed, SourceError};
use crate::event_store::{EventStore, RecordedEvent, StoreError, tail};

/// Feeds straight from the event store's global log.
#[derive(Clone)]
pub struct StoreTail {
    store: Arc<dyn EventStore>,
}

impl std::fmt::Debug for StoreTail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreTail")
    }
}

impl StoreTail {
    /// A source over `store`.
    pub fn new(store: Arc<dyn EventStore>) -> Self {
        Self { store }
    }
}

#[async_trait]
impl EventSource for StoreTail {
    async fn open(&self, _name: &str, after: u64) -> Result<Box<dyn Feed>, SourceError> {
        Ok(Box::new(TailFeed { log: tail(self.store.clone(), after) }))
    }

    async fn event_at(&self, position: u64) -> Result<Option<RecordedEvent>, SourceError> {
        let Some(after) = position.checked_sub(1) else { return Ok(None) };
        let events = self
            .store
            .read_all(after, 1)
            .await
            .map_err(|error| SourceError::new(format!("reading the event at position {position}"), error))?;
        Ok(events.into_iter().find(|event| event.global_position == position))
    }

    fn kind(&self) -> &'static str {
        "store-tail"
    }
}

struct TailFeed {
    log: BoxStream<'static, Result<RecordedEvent, StoreError>>,
}

#[async_trait]
impl Feed for TailFeed {
    async fn next_batch(&mut self, max: usize, wait: Duration) -> Result<Vec<RecordedEvent>, SourceError> {
        // The tail stream is cancel-safe: an event is only taken out when returned.
        let first = match tokio::time::timeout(wait, self.log.next()).await {
            Err(_) | Ok(None) => return Ok(Vec::new()),
            Ok(Some(Err(error))) => return Err(SourceError::new("tailing the event store", error)),
            Ok(Some(Ok(event))) => event,
        };
        let mut batch = vec![first];
        // Take what is already buffered without waiting again.
        while batch.len() < max.max(1) {
            match futures::FutureExt::now_or_never(self.log.next()) {
                Some(Some(Ok(event))) => batch.push(event),
                Some(Some(Err(error))) => {
                    tracing::warn!(%error, "tailing the event store failed; delivering what was read");
                    break;
                }
                Some(None) | None => break,
            }
        }
        Ok(batch)
    }

    async fn ack(&mut self, _position: u64) -> Result<(), SourceError> {
        // The consumer's own checkpoint is the only record the store tail needs.
        Ok(())
    }
}
