//! What can go wrong in the account store.

/// An account store failure.
#[derive(Debug, thiserror::Error)]
pub enum AccountStoreError {
    /// A unique value (e-mail) is already taken.
    #[error("{0} is already taken")]
    Duplicate(String),
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
    #[error("migrating the account store: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored row is not what this adapter writes (e.g. unreadable replay headers).
    #[error("{context}: {reason}")]
    Corrupt {
        /// Which row.
        context: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A file-system step (creating the data directory) failed.
    #[error("{context}: {source}")]
    Io {
        /// Which path.
        context: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

impl AccountStoreError {
    /// Whether the store could not be reached (connection refused or lost, pool
    /// exhausted, server refusing connections): worth a 503 and a retry.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Database { source, .. } if crate::event_store::connection_trouble(source))
    }

    /// Wraps a driver error with what was being done.
    pub fn db(context: impl Into<String>) -> impl FnOnce(sqlx::Error) -> AccountStoreError {
        let context = context.into();
        move |source| AccountStoreError::Database { context, source }
    }
}

/// True when the driver refused a row because a unique constraint already holds its key.
pub(super) fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}
