//! Why a projection stopped.

use emporium_infra::codec::CodecError;
use emporium_infra::event_store::StoreError;
use emporium_infra::read_store::ReadStoreError;

/// A projection failure, with the projector and event it concerned where known.
#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    /// The read store failed.
    #[error("read store: {0}")]
    ReadStore(#[from] ReadStoreError),
    /// The event store failed.
    #[error("event store: {0}")]
    EventStore(#[from] StoreError),
    /// An event could not be decoded into its domain type.
    #[error("decoding {event_type} at position {position}: {source}")]
    Decode {
        /// The event's type name.
        event_type: String,
        /// Its global position.
        position: u64,
        /// The codec's error.
        #[source]
        source: CodecError,
    },
    /// A stored document does not have the shape its projector wrote.
    #[error("document {collection}/{id} is malformed: {reason}")]
    Document {
        /// The collection.
        collection: String,
        /// The document's key.
        id: String,
        /// What was wrong.
        reason: String,
    },
    /// A projector's task in a rebuild stopped without answering (it panicked).
    #[error("the rebuild of {0} stopped unexpectedly")]
    Rebuild(String),
}
