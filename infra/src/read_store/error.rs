//! Why a read-store operation failed, with the operation it was part of.

/// A read-store failure. Every variant names the operation that failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadStoreError {
    /// A field name in a query is not `^[a-z_][a-z0-9_]*$` (per dot-separated segment).
    #[error("invalid field name {field:?}: segments must match ^[a-z_][a-z0-9_]*$")]
    InvalidField {
        /// The rejected name (truncated).
        field: String,
    },
    /// A query is malformed in another way (e.g. text search over no fields).
    #[error("invalid query: {0}")]
    InvalidQuery(String),
    /// A position or count does not fit the database's signed 64-bit integers.
    #[error("{context}: value {value} is out of range")]
    OutOfRange {
        /// What was being stored or read.
        context: String,
        /// The offending value.
        value: i128,
    },
    /// The database refused or failed.
    #[error("{context}")]
    Database {
        /// What was being done, e.g. `committing batch of projection catalog at 42`.
        context: String,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// A database driver other than sqlx (MongoDB) refused or failed.
    #[error("{context}")]
    Driver {
        /// What was being done.
        context: String,
        /// The driver's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
    /// Migrations could not be applied.
    #[error("{context}")]
    Migrate {
        /// Which store was being migrated.
        context: String,
        /// The migrator's error.
        #[source]
        source: sqlx::migrate::MigrateError,
    },
    /// A document could not be (de)serialized.
    #[error("{context}")]
    Json {
        /// Which document.
        context: String,
        /// The serde error.
        #[source]
        source: serde_json::Error,
    },
    /// A file-system step (e.g. creating the data directory) failed.
    #[error("{context}")]
    Io {
        /// Which path.
        context: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

impl ReadStoreError {
    /// Whether the store could not be reached (connection refused or lost, pool
    /// exhausted, server shutting down, no server selectable): worth a 503 and a retry.
    pub fn is_unavailable(&self) -> bool {
        match self {
            Self::Database { source, .. } => crate::event_store::connection_trouble(source),
            #[cfg(feature = "mongodb")]
            Self::Driver { source, .. } => source.downcast_ref::<mongodb::error::Error>().is_some_and(|error| {
                use mongodb::error::ErrorKind;
                matches!(
                    error.kind.as_ref(),
                    ErrorKind::Io(_) | ErrorKind::ServerSelection { .. } | ErrorKind::ConnectionPoolCleared { .. }
                )
            }),
            _ => false,
        }
    }

    /// Wraps a driver error with what was being done.
    pub(crate) fn db(context: impl Into<String>) -> impl FnOnce(sqlx::Error) -> Self {
        let context = context.into();
        move |source| Self::Database { context, source }
    }

    /// Wraps a serde error with the document it concerned.
    pub(crate) fn json(context: impl Into<String>) -> impl FnOnce(serde_json::Error) -> Self {
        let context = context.into();
        move |source| Self::Json { context, source }
    }
}

/// Converts a position or count to the database's `BIGINT`.
pub(crate) fn to_i64(value: u64, context: &str) -> Result<i64, ReadStoreError> {
    i64::try_from(value)
        .map_err(|_| ReadStoreError::OutOfRange { context: context.to_owned(), value: i128::from(value) })
}

/// Converts a stored `BIGINT` back to a position or count.
pub(crate) fn to_u64(value: i64, context: &str) -> Result<u64, ReadStoreError> {
    u64::try_from(value)
        .map_err(|_| ReadStoreError::OutOfRange { context: context.to_owned(), value: i128::from(value) })
}
