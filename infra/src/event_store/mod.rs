//! The event store port: append with an expected version, read streams and the
//! global log, and tail the log. Adapters: [`sqlite`] (embedded default) and
//! [`postgres`]; both pass the suite in `tests/tests/event_store_*.rs`.

mod batch;
mod envelope;
mod error;
mod group_commit;
mod hash_chain;
#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "sqlite")]
pub mod sqlite;
mod subscription;

use async_trait::async_trait;
use futures::stream::BoxStream;
use tokio::sync::watch;
use uuid::Uuid;

pub use envelope::{AppendOutcome, AppendRequest, EventMetadata, ExpectedVersion, NewEvent, RecordedEvent};
pub use error::StoreError;
pub(crate) use error::connection_trouble;
pub use hash_chain::{ChainBreak, GENESIS_HASH, canonical_json, verify_chain};
pub use subscription::subscribe_all;

/// The single source of truth: an append-only log of streams with a gap-free global order.
#[async_trait]
pub trait EventStore: Send + Sync + 'static {
    /// Appends events to one stream if its version matches `expected`.
    ///
    /// A wrong expectation fails with [`StoreError::Conflict`] and writes nothing.
    /// Events whose `event_id`s are all already stored are not written again: the
    /// outcome reports their original positions with `duplicate = true`. The same
    /// holds for a `command_id` that was already recorded.
    async fn append(&self, request: AppendRequest) -> Result<AppendOutcome, StoreError>;

    /// Appends to several streams at once, each request with its own expected version:
    /// all of them in one transaction, or none. The events of one call take consecutive
    /// global positions, in the order of the requests, never interleaved with another
    /// append. A refusal of any request (a conflict, a bad stream id) is the call's
    /// error and nothing is written; a stream may appear once per call. A call that was
    /// appended before (every request recognised by its command or event ids) answers
    /// with the original outcomes; one that is partly a retry is refused with
    /// [`StoreError::PartialDuplicate`], so give every request a command id (or stable
    /// event ids) when a caller may retry.
    async fn append_all(&self, requests: Vec<AppendRequest>) -> Result<Vec<AppendOutcome>, StoreError>;

    /// Reads one stream forward from `from_version` (1-based, inclusive), at most `max` events.
    async fn read_stream(
        &self,
        stream_id: &str,
        from_version: u64,
        max: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError>;

    /// Reads the global log forward: events with `global_position > after`, at most `max`.
    async fn read_all(&self, after: u64, max: usize) -> Result<Vec<RecordedEvent>, StoreError>;

    /// The highest committed global position (0 when the log is empty).
    async fn head_position(&self) -> Result<u64, StoreError>;

    /// The outcome recorded for a command id, if that command was appended before.
    async fn command_outcome(&self, command_id: Uuid) -> Result<Option<AppendOutcome>, StoreError>;

    /// Changes whenever this process commits; other processes' commits are found by polling.
    fn head_watch(&self) -> watch::Receiver<u64>;
}

/// Tails the global log after `after`: catches up, then follows new events for ever.
pub fn tail(
    store: std::sync::Arc<dyn EventStore>,
    after: u64,
) -> BoxStream<'static, Result<RecordedEvent, StoreError>> {
    subscribe_all(store, after)
}
