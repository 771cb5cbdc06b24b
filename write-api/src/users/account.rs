//! Reading an account's current state from its stream, for the decisions the
//! handlers make before (or instead of) a command: roles for a token, whether a
//! registration finished, what a partial profile update keeps.

use emporium_api_kit::ApiError;
use emporium_api_kit::ErrorCode;
use emporium_commands::accounts::{self, AccountError, HashingError};
use emporium_domain::customer::Account;
use emporium_infra::accounts::AccountStoreError;
use uuid::Uuid;

use crate::errors::command_error;
use crate::state::WriteState;

/// The account in stream `customer-<id>` and the global position of its last event;
/// `None` when nothing was registered there.
pub async fn load(state: &WriteState, customer_id: Uuid) -> Result<Option<(Account, u64)>, ApiError> {
    accounts::load(&state.commands, customer_id).await.map_err(account_error)
}

/// An account use case's failure as an API error: a refusal at its code's status,
/// 503 `server.busy` when hashing is saturated, 503 `store.unavailable` when the
/// account or event store is out of reach, else a 500.
pub fn account_error(error: AccountError) -> ApiError {
    match error {
        AccountError::Hashing(HashingError::Busy) => ApiError::retry_later(
            ErrorCode::ServerBusy,
            "too many sign-ins are being checked right now; retry shortly",
            1,
        ),
        AccountError::Store(store) => store_failed(store),
        AccountError::Command(command) => command_error(command),
        AccountError::NotFound => not_found(),
        AccountError::InvalidToken => invalid_token(),
        AccountError::WrongPassword => {
            ApiError::field("current_password", ErrorCode::AuthWrongPassword, "the current password is wrong")
        }
        other => ApiError::internal(&other),
    }
}

/// [`account_error`] for a hashing step alone.
pub fn hashing_error(error: HashingError) -> ApiError {
    account_error(error.into())
}

/// The account, or 404 `customer.not_found`.
pub async fn require(state: &WriteState, customer_id: Uuid) -> Result<(Account, u64), ApiError> {
    load(state, customer_id).await?.ok_or_else(not_found)
}

/// 404 for an account that does not exist (or is not the caller's to see).
pub fn not_found() -> ApiError {
    ApiError::new(ErrorCode::CustomerNotFound, "no such customer")
}

/// 503 `store.unavailable` when the account store is out of reach, else a 500 (logged
/// with its cause chain).
pub fn store_failed(error: AccountStoreError) -> ApiError {
    if error.is_unavailable() {
        tracing::warn!(%error, "account store unavailable; answering 503");
        return ApiError::retry_later(
            ErrorCode::StoreUnavailable,
            "the account store is unavailable; retry shortly",
            2,
        );
    }
    ApiError::internal(&error)
}

/// Role names as access tokens and profiles carry them.
pub fn role_names(account: &Account) -> Vec<String> {
    account.roles().iter().map(|role| role.as_str().to_owned()).collect()
}

/// 400 `auth.invalid_token` for the `token` field.
pub fn invalid_token() -> ApiError {
    ApiError::field(
        "token",
        ErrorCode::AuthInvalidToken,
        "the link is unknown, expired or already used; ask for a new one",
    )
}
