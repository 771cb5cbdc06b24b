//! Forgotten passwords: ask for a reset link by address, then set a new password
//! with the mailed token.
//!
//! Asking answers the same 200, with the same message and at once, whether or not
//! the address has an account: the lookup and the mail happen after the answer, so
//! neither the body nor the timing tells who is registered.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use emporium_api_kit::envelope::ok;
use emporium_api_kit::position::with_position;
use emporium_api_kit::{ApiError, ApiJson, Envelope, RequestContext};
use emporium_commands::accounts::password;
use serde::Deserialize;

use super::account::account_error;
use super::answers::{Accepted, Done};
use crate::input::Problems;
use crate::state::WriteState;

/// The one answer to every well-formed forgot-password request.
pub const FORGOT_MESSAGE: &str = "if an account uses this address, a link to reset its password is on its way";

/// `POST /api/v1/users/forgot-password`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForgotPasswordRequest {
    /// The account's sign-in address.
    #[schema(schema_with = emporium_api_kit::schema_rules::email)]
    pub email: String,
}

/// `POST /api/v1/users/reset-password`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    /// The `token` of the mailed link.
    #[schema(schema_with = emporium_api_kit::schema_rules::token)]
    pub token: String,
    /// The new password, 8 to 128 characters.
    #[schema(min_length = 8, max_length = 128, pattern = "^[^\\x00]*$")]
    pub new_password: String,
}

/// Mails a reset link if the address has an account; answers the same either way.
#[utoipa::path(
    post,
    path = "/api/v1/users/forgot-password",
    tag = "users",
    request_body = ForgotPasswordRequest,
    responses(
        (status = 200, description = "Taken in (the same answer whether or not the address has an account)", body = Envelope<Accepted>),
        (status = 400, description = "Not an e-mail address", body = Envelope<String>),
        (status = 429, description = "`auth.too_many_attempts` for this address (any address, registered or not), or `request.rate_limited` for this client", body = Envelope<String>),
    )
)]
#[tracing::instrument(skip_all)]
pub async fn forgot_password(
    State(state): State<WriteState>,
    ApiJson(body): ApiJson<ForgotPasswordRequest>,
) -> Result<Response, ApiError> {
    let mut problems = Problems::default();
    let email = problems.email("email", &body.email);
    let email = problems.finish(|| email)?;
    state.attempts.attempt(email.as_str()).await?;
    tokio::spawn(async move {
        if let Err(error) = password::request_reset(state.account_ports(), &email).await {
            tracing::error!(%error, "could not handle a forgot-password request");
        }
    });
    Ok((StatusCode::OK, Json(Envelope::ok(Accepted { accepted: true }, FORGOT_MESSAGE))).into_response())
}

/// Sets a new password with a mailed reset token (which is spent).
#[utoipa::path(
    post,
    path = "/api/v1/users/reset-password",
    tag = "users",
    request_body = ResetPasswordRequest,
    responses(
        (status = 200, description = "Password set; refresh tokens revoked; the address counts as verified", body = Envelope<Done>,
            headers(("X-Emporium-Position" = u64, description = "Position of the last event"))),
        (status = 400, description = "`auth.invalid_token` (unknown, expired or used) or an invalid `new_password`", body = Envelope<String>),
    )
)]
#[tracing::instrument(skip_all)]
pub async fn reset_password(
    State(state): State<WriteState>,
    context: RequestContext,
    ApiJson(body): ApiJson<ResetPasswordRequest>,
) -> Result<Response, ApiError> {
    let mut problems = Problems::default();
    let token = problems.token("token", &body.token);
    let password = problems.new_password("new_password", &body.new_password);
    let (token, password) = problems.finish(|| Some((token?, password?)))?;
    let (customer_id, position) = password::reset(state.account_ports(), &token, password, context.metadata("guest"))
        .await
        .map_err(account_error)?;
    state.keys.sessions().end_all(customer_id).await?;
    Ok(with_position(ok(Done { position }), position))
}
