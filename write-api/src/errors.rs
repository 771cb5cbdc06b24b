//! Domain and command errors as API errors: each aggregate error's stable code
//! keeps its name; the status says what kind of refusal it is.

use emporium_api_kit::ApiError;
use emporium_api_kit::ErrorCode;
use emporium_commands::CommandError;
use emporium_infra::event_store::StoreError;

/// A domain error that knows its stable code (whose status is in the error-code table).
pub trait DomainRefusal: std::error::Error + Send + Sync + 'static {
    /// Stable dotted code, e.g. `order.invalid_transition`.
    fn code(&self) -> &'static str;
    /// The request field the error is about, for 400s (`""` when none).
    fn field(&self) -> &'static str {
        ""
    }
}

/// Maps a command failure to an API error.
pub fn command_error<E: DomainRefusal>(error: CommandError<E>) -> ApiError {
    match error {
        CommandError::Domain(refusal) => domain_error(&refusal),
        CommandError::Contention { .. } => ApiError::new(ErrorCode::CommandContention, error.to_string()),
        CommandError::Store(store) => store_error(store),
        other => ApiError::internal(&other),
    }
}

/// An event store failure: 503 `store.unavailable` when it cannot be reached, else 500.
pub fn store_error(store: StoreError) -> ApiError {
    if store.is_unavailable() {
        tracing::warn!(error = %store, "event store unavailable; answering 503");
        return ApiError::retry_later(
            ErrorCode::StoreUnavailable,
            "the event store is unavailable; retry shortly (a retry with the same Idempotency-Key is safe)",
            2,
        );
    }
    ApiError::internal(&store)
}

/// Maps a domain refusal to an API error, at its code's status.
pub fn domain_error<E: DomainRefusal>(refusal: &E) -> ApiError {
    ApiError::refusal(refusal.code(), refusal.field(), refusal.to_string())
}
