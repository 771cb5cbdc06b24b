//! Reading a read-model document as the type its projector writes
//! (`emporium_projections::models`), so each stored shape is declared once.

use emporium_api_kit::ApiError;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A stored document as its projector's type; a mismatch is our fault, so a logged 500.
pub(crate) fn parse<T: DeserializeOwned>(collection: &str, doc: Value) -> Result<T, ApiError> {
    serde_json::from_value(doc).map_err(|error| {
        tracing::error!(collection, %error, "read-model document has an unexpected shape");
        ApiError::internal(&error)
    })
}
