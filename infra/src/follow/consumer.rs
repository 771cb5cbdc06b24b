//! The `Consumer` trait: what one follower of the log does with a batch.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::event_store::RecordedEvent;
use crate::read_store::{DocWrite, ReadStore};

/// Why a consumer could not handle a batch (any error of the consumer's own crate).
pub type ConsumeError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// One follower of the log, run by a [`Follower`](super::Follower).
#[async_trait]
pub trait Consumer: Send + Sync + 'static {
    /// Stable name: its checkpoint key in [`store`](Self::store) and its durable
    /// name on the bus.
    fn name(&self) -> &str;

    /// Where its checkpoint, the documents it writes and its parked messages live.
    fn store(&self) -> &Arc<dyn ReadStore>;

    /// Handles events past its checkpoint, in order, and returns the document writes
    /// the runner commits together with the last event's position. Side effects
    /// (commands, provider calls) must be idempotent: after a crash between them and
    /// the commit, the batch is handled again.
    async fn handle(&self, batch: &[RecordedEvent]) -> Result<Vec<DocWrite>, ConsumeError>;

    /// Work after a batch committed (sending what it queued, say). Failures are the
    /// consumer's to log; the next batch or tick retries.
    async fn after_commit(&self) {}

    /// A stop was asked for while work of this consumer is in hand: start nothing new
    /// (the work is still awaited to its end).
    fn stopping(&self) {}

    /// How often [`tick`](Self::tick) runs; `None` for never.
    fn tick_every(&self) -> Option<Duration> {
        None
    }

    /// Timer work: deadlines that passed, deliveries that fell due.
    async fn tick(&self) -> Result<(), ConsumeError> {
        Ok(())
    }

    /// Whether what the consumer depends on answers right now. A batch that fails
    /// while this fails is an outage, not a poison message: it is retried, never parked.
    async fn probe(&self) -> Result<(), ConsumeError> {
        self.store().checkpoint(self.name()).await?;
        Ok(())
    }
}

/// How hard a batch is tried before its events are tried alone and a failing one parked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts of a batch (and then of each of its events alone) before giving up on it.
    pub attempts: u32,
    /// Wait after the first failed attempt; doubles each time.
    pub first_backoff: Duration,
    /// The longest wait between attempts.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { attempts: 5, first_backoff: Duration::from_millis(100), max_backoff: Duration::from_secs(5) }
    }
}

impl RetryPolicy {
    /// The default number of attempts, waiting `first` after the first failure and
    /// doubling up to `max` (never below `first`).
    pub fn doubling(first: Duration, max: Duration) -> Self {
        Self { first_backoff: first, max_backoff: max.max(first), ..Self::default() }
    }

    /// The wait after failed attempt number `attempt` (1-based).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let doubled = self.first_backoff.saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
        doubled.min(self.max_backoff.max(self.first_backoff))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let policy = RetryPolicy {
            attempts: 5,
            first_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(700),
        };
        let waits: Vec<_> = (1..=5).map(|a| policy.backoff(a).as_millis()).collect();
        assert_eq!(waits, vec![100, 200, 400, 700, 700]);
    }
}
