//! MongoDB driver errors as [`ReadStoreError`]s, and the one server error the
//! adapter expects and handles: a duplicate key.

use mongodb::error::{ErrorKind, WriteFailure};

use crate::read_store::ReadStoreError;

/// The server's code for a unique-index (here: `_id`) violation.
const DUPLICATE_KEY: i32 = 11000;

/// Wraps a driver error with what was being done.
pub(super) fn mongo(context: impl Into<String>) -> impl FnOnce(mongodb::error::Error) -> ReadStoreError {
    let context = context.into();
    move |error| ReadStoreError::Driver { context, source: Box::new(error) }
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
