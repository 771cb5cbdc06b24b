//! Changing a password while signed in, and the step it shares with a reset: store
//! the new hash, record `CustomerPasswordChanged` (the fact only), and revoke every
//! refresh token and pending reset link, so other sessions must sign in again.

use axum::extract::State;
use axum::response::Response;
use chrono::Utc;
use emporium_api_kit::ErrorCode;
use emporium_api_kit::envelope::ok;
use emporium_api_kit::position::with_position;
use emporium_api_kit::{ApiError, ApiJson, Caller, Envelope, RequestContext};
use emporium_domain::customer::{Customer, CustomerCommand};
use emporium_domain::ids::CustomerId;
use emporium_infra::accounts::TokenKind;
use serde::Deserialize;
use uuid::Uuid;

use emporium_commands::accounts::hashing;

use super::account::{self, hashing_error, store_failed};
use super::answers::Done;
use crate::command::run;
use crate::errors::command_error;
use crate::input::Problems;
use crate::state::WriteState;

/// `POST /api/v1/users/change-password`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    /// The password in use now.
    #[schema(min_length = 1, max_length = 128, pattern = "^[^\\x00]*$")]
    pub current_password: String,
    /// The new one, 8 to 128 characters.
    #[schema(min_length = 8, max_length = 128, pattern = "^[^\\x00]*$")]
    pub new_password: String,
}

/// Stores `password` as the account's new password and records the fact; returns
/// the position of the event.
pub(super) async fn replace_password(
    state: &WriteState,
    context: &RequestContext,
    actor: &str,
    customer_id: Uuid,
    password: String,
) -> Result<u64, ApiError> {
    let password_hash = hashing::hash(password).await.map_err(hashing_error)?;
    // The hash first: once the new password works, the fact follows; a crash in
    // between leaves a changed password without its event, never the reverse.
    state.accounts.set_password_hash(customer_id, &password_hash).await.map_err(store_failed)?;
    let command =
        CustomerCommand::RecordPasswordChange { customer_id: CustomerId::from_uuid(customer_id), at: Utc::now() };
    let outcome =
        run::<Customer>(state, context, actor, customer_id.to_string(), command, None).await.map_err(command_error)?;
    state.accounts.revoke_tokens(customer_id, TokenKind::PasswordReset).await.map_err(store_failed)?;
    super::sessions::end_all(state, customer_id).await?;
    tracing::info!(%customer_id, "password changed; every session ended");
    Ok(outcome.position)
}

/// Changes the caller's password, given the current one.
#[utoipa::path(
    post,
    path = "/api/v1/users/change-password",
    tag = "users",
    request_body = ChangePasswordRequest,
    responses(
        (status = 200, description = "Changed; every refresh token of the account is revoked", body = Envelope<Done>,
            headers(("X-Emporium-Position" = u64, description = "Position of the event"))),
        (status = 400, description = "`auth.wrong_password` for `current_password`, or an invalid `new_password`", body = Envelope<String>),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
        (status = 404, description = "The account does not exist", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(customer_id = %caller.customer_id))]
pub async fn change_password(
    State(state): State<WriteState>,
    caller: Caller,
    context: RequestContext,
    ApiJson(body): ApiJson<ChangePasswordRequest>,
) -> Result<Response, ApiError> {
    let mut problems = Problems::default();
    let current = problems.given_password("current_password", &body.current_password);
    let new = problems.new_password("new_password", &body.new_password);
    let (current, new) = problems.finish(|| Some((current?, new?)))?;
    let credentials = state
        .accounts
        .credentials_by_id(caller.customer_id)
        .await
        .map_err(store_failed)?
        .ok_or_else(account::not_found)?;
    if !hashing::verify(current, credentials.password_hash).await.map_err(hashing_error)? {
        return Err(ApiError::field("current_password", ErrorCode::AuthWrongPassword, "the current password is wrong"));
    }
    let position = replace_password(&state, &context, &caller.actor(), caller.customer_id, new).await?;
    Ok(with_position(ok(Done { position }), position))
}
