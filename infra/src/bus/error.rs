//! What can go wrong on the bus.

use crate::event_store::StoreError;

/// A bus failure.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    /// NATS could not be reached, or refused or timed out a request.
    #[error("{context}: {source}")]
    Nats {
        /// What was being done.
        context: String,
        /// The client's error.
        #[source]
        source: async_nats::Error,
    },
    /// Reading the event store failed.
    #[error("reading the event store: {0}")]
    Store(#[from] StoreError),
    /// The stream does not hold the log at sequence = position (something else
    /// published to it, or it belongs to another event store). Publishing on would
    /// make it worse, so the relay stops.
    #[error("the stream EMPORIUM_EVENTS does not mirror this event log: {0}")]
    Diverged(String),
}

impl BusError {
    /// Wraps a NATS client error with what was being done.
    pub fn nats<E>(context: impl Into<String>) -> impl FnOnce(E) -> BusError
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        let context = context.into();
        move |source| BusError::Nats { context, source: Box::new(source) }
    }

    /// True when waiting and trying again cannot help.
    pub fn is_fatal(&self) -> bool {
        matches!(self, BusError::Diverged(_))
    }
}
