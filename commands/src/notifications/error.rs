//! Why the dispatcher could not finish a batch or a delivery round; every variant is
//! worth retrying later, because refusals of the aggregates are handled as outcomes.

use emporium_infra::event_store::StoreError;
use emporium_infra::read_store::ReadStoreError;

/// An infrastructure failure while dispatching.
#[derive(Debug, thiserror::Error)]
pub enum DispatchError {
    /// A command could not be carried out (store failure, contention, undecodable stream).
    #[error("notification step {step}: {source}")]
    Command {
        /// The step, e.g. `queue notification-…`.
        step: String,
        /// The handler's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Reading the event log failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The read store (directory, schedule, checkpoint) failed.
    #[error(transparent)]
    ReadStore(#[from] ReadStoreError),
    /// A stored document could not be read or written.
    #[error("document {collection}/{id}: {source}")]
    Document {
        /// The collection.
        collection: String,
        /// The document.
        id: String,
        /// The serde error.
        #[source]
        source: serde_json::Error,
    },
}
