//! `POST /api/v1/users/change-password`: the use case
//! (`commands/src/accounts/password.rs`: the current password checked, the new hash
//! stored, `CustomerPasswordChanged` recorded, refresh tokens and reset links
//! revoked), then every access token of the account ended, so other sessions must
//! sign in again.

use axum::extract::State;
use axum::response::Response;
use emporium_api_kit::envelope::ok;
use emporium_api_kit::position::with_position;
use emporium_api_kit::{ApiError, ApiJson, Caller, Envelope, RequestContext};
use emporium_commands::accounts::password;
use serde::Deserialize;

use super::account::account_error;
use super::answers::Done;
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
    let metadata = context.metadata(caller.actor());
    let position = password::change(state.account_ports(), caller.customer_id, current, new, metadata)
        .await
        .map_err(account_error)?;
    state.keys.sessions().end_all(caller.customer_id).await?;
    Ok(with_position(ok(Done { position }), position))
}
