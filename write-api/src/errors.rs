//! Domain and command errors as API errors: each aggregate error's stable code
//! keeps its name; the status says what kind of refusal it is.

use emporium_api_kit::ApiError;
use emporium_commands::CommandError;
use emporium_infra::event_store::StoreError;

/// How a domain refusal maps to HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// 400: the input breaks a rule of its own (bad name, bad quantity).
    Invalid,
    /// 404: the thing does not exist.
    NotFound,
    /// 409: the input is fine but the current state does not allow it.
    Conflict,
}

/// A domain error that knows its stable code and kind of refusal.
pub trait DomainRefusal: std::error::Error + Send + Sync + 'static {
    /// Stable dotted code, e.g. `order.invalid_transition`.
    fn code(&self) -> &'static str;
    /// Which status it maps to.
    fn refusal(&self) -> Refusal;
    /// The request field the error is about, for 400s (`""` when none).
    fn field(&self) -> &'static str {
        ""
    }
}

/// Maps a command failure to an API error.
pub fn command_error<E: DomainRefusal>(error: CommandError<E>) -> ApiError {
    match error {
        CommandError::Domain(refusal) => domain_error(&refusal),
        CommandError::Contention { .. } => ApiError::conflict("command.contention", error.to_string()),
        CommandError::Store(store) => store_error(store),
        other => ApiError::internal(&other),
    }
}

/// An event store failure: 503 `store.unavailable` when it cannot be reached, else 500.
pub fn store_error(store: StoreError) -> ApiError {
    if store.is_unavailable() {
        tracing::warn!(error = %store, "event store unavailable; answering 503");
        return ApiError::unavailable(
            "store.unavailable",
            "the event store is unavailable; retry shortly (a retry with the same Idempotency-Key is safe)",
            2,
        );
    }
    ApiError::internal(&store)
}

/// Maps a domain refusal to an API error.
pub fn domain_error<E: DomainRefusal>(refusal: &E) -> ApiError {
    match refusal.refusal() {
        Refusal::Invalid => ApiError::field(refusal.field(), refusal.code(), refusal.to_string()),
        Refusal::NotFound => ApiError::not_found(refusal.code(), refusal.to_string()),
        Refusal::Conflict => ApiError::conflict(refusal.code(), refusal.to_string()),
    }
}
