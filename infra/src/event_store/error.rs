//! What can go wrong when appending or reading.

use super::ExpectedVersion;

/// An event store failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The stream's version did not match the append's expectation; nothing was written.
    #[error("version conflict on {stream_id}: expected {expected}, stream is at {actual}")]
    Conflict {
        /// The stream.
        stream_id: String,
        /// What the append expected.
        expected: ExpectedVersion,
        /// The stream's actual version (0 = no stream).
        actual: u64,
    },
    /// Some, but not all, of the appended event ids are already stored.
    #[error("append to {stream_id} mixes new events with already stored event {event_id}")]
    PartialDuplicate {
        /// The stream.
        stream_id: String,
        /// One id that was already stored.
        event_id: uuid::Uuid,
    },
    /// The request itself is unusable (no events, bad stream id).
    #[error("invalid append: {0}")]
    Invalid(String),
    /// The database failed.
    #[error("{context}: {source}")]
    Database {
        /// What was being done.
        context: String,
        /// The driver error.
        #[source]
        source: sqlx::Error,
    },
    /// A migration failed.
    #[error("migrating the event store: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored row could not be read back.
    #[error("corrupt row at position {position}: {reason}")]
    Corrupt {
        /// Its global position.
        position: i64,
        /// What was wrong.
        reason: String,
    },
    /// The writer task is gone (the store is shutting down).
    #[error("the event store writer has stopped")]
    WriterGone,
}

impl StoreError {
    /// Wraps a driver error with what was being done.
    pub fn db(context: impl Into<String>) -> impl FnOnce(sqlx::Error) -> StoreError {
        let context = context.into();
        move |source| StoreError::Database { context, source }
    }

    /// True for an expected-version conflict (worth a retry after reloading).
    pub fn is_conflict(&self) -> bool {
        matches!(self, StoreError::Conflict { .. })
    }
}

impl StoreError {
    /// Whether the store could not be reached (connection refused or lost, pool
    /// exhausted, server shutting down or refusing connections): worth a 503 and a
    /// retry, unlike a refusal or a corrupt row.
    pub fn is_unavailable(&self) -> bool {
        match self {
            Self::Database { source, .. } => connection_trouble(source),
            Self::WriterGone => true,
            _ => false,
        }
    }
}

/// Whether a driver error means the database is out of reach rather than refusing.
pub(crate) fn connection_trouble(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            // 08: connection exception; 57P0x: shutdown, cannot connect now; 53300: too
            // many connections; 55000 is how `ALLOW_CONNECTIONS false` refuses.
            code.starts_with("08") || code.starts_with("57P0") || code == "53300" || code == "55000"
        }),
        _ => false,
    }
}
