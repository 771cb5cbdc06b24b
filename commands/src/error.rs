//! Why a command was not carried out.

use emporium_infra::codec::CodecError;
use emporium_infra::event_store::StoreError;

/// A failed command; `E` is the aggregate's domain error.
#[derive(Debug, thiserror::Error)]
pub enum CommandError<E: std::error::Error + 'static> {
    /// The aggregate refused the command.
    #[error(transparent)]
    Domain(E),
    /// Other writers kept changing the stream; gave up after this many attempts.
    #[error("stream {stream_id} kept changing; gave up after {attempts} attempts")]
    Contention {
        /// The contended stream.
        stream_id: String,
        /// Attempts made.
        attempts: u32,
    },
    /// A stored event could not be read as a domain event.
    #[error("loading {stream_id}: {source}")]
    Codec {
        /// The stream being loaded.
        stream_id: String,
        /// The decoding error.
        #[source]
        source: CodecError,
    },
    /// The event store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}
