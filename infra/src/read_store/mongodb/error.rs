//! MongoDB driver errors as [`ReadStoreError`]s, and the one server error the
//! adapter expects and handles: a duplicate key.

use mongodb::error::{ErrorKind, WriteFailure};

use crate::read_store::ReadStoreError;

/// The server's code for a unique-index (here: `_id`) violation.
const DUPLICATE_KEY: i32 = 11000;

/// Wraps a driver error with what was being done.
///
/// [`ReadStoreError::Database`] carries an `sqlx::Error`, so the driver error travels
/// as its I/O source: the variant (and the cause chain in logs) stays that of every
/// other database failure. This is the one place to change once the port's error
/// gets a driver-neutral source.
pub(super) fn mongo(context: impl Into<String>) -> impl FnOnce(mongodb::error::Error) -> ReadStoreError {
    let context = context.into();
    move |error| ReadStoreError::Database { context, source: sqlx::Error::Io(std::io::Error::other(error)) }
}

/// Whether `error` is a duplicate `_id`: a guarded upsert that found the document
/// (or checkpoint) already at or past its position.
pub(super) fn is_duplicate_key(error: &mongodb::error::Error) -> bool {
    match error.kind.as_ref() {
        ErrorKind::Write(WriteFailure::WriteError(write)) => write.code == DUPLICATE_KEY,
        ErrorKind::Command(command) => command.code == DUPLICATE_KEY,
        _ => false,
    }
}
