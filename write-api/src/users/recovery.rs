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
use chrono::Utc;
use emporium_api_kit::ErrorCode;
use emporium_api_kit::envelope::ok;
use emporium_api_kit::position::with_position;
use emporium_api_kit::{ApiError, ApiJson, Envelope, RequestContext};
use emporium_commands::CommandError;
use emporium_domain::customer::{Customer, CustomerCommand, CustomerError};
use emporium_domain::ids::CustomerId;
use emporium_domain::values::Email;
use emporium_infra::accounts::TokenKind;
use serde::Deserialize;

use emporium_commands::accounts::{Purpose, secrets, self_actor};

use super::account::{self, account_error, store_failed};
use super::answers::{Accepted, Done};
use super::change_password::replace_password;
use crate::command::run;
use crate::errors::command_error;
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
        if let Err(error) = mail_reset_link(&state, &email).await {
            tracing::error!(%error, "could not handle a forgot-password request");
        }
    });
    Ok((StatusCode::OK, Json(Envelope::ok(Accepted { accepted: true }, FORGOT_MESSAGE))).into_response())
}

async fn mail_reset_link(state: &WriteState, email: &Email) -> Result<(), ApiError> {
    let Some(credentials) = state.accounts.credentials_by_email(email.as_str()).await.map_err(store_failed)? else {
        tracing::info!("forgot-password for an address without an account");
        return Ok(());
    };
    let Some((account, _)) = account::load(state, credentials.customer_id).await? else {
        return Ok(());
    };
    state
        .account_ports()
        .links
        .send(Purpose::PasswordReset, credentials.customer_id, account.email().as_str(), account.name())
        .await
        .map_err(account_error)
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
    let customer_id = secrets::redeem(state.accounts.as_ref(), TokenKind::PasswordReset, &token)
        .await
        .map_err(account_error)?
        .ok_or_else(invalid_token)?;
    let (account, _) = account::require(&state, customer_id).await?;
    let actor = self_actor(customer_id);
    let mut position = replace_password(&state, &context, &actor, customer_id, password).await?;
    // The link reached the address, which proves the customer owns it.
    if !account.email_verified() {
        let command = CustomerCommand::VerifyEmail { customer_id: CustomerId::from_uuid(customer_id), at: Utc::now() };
        match run::<Customer>(&state, &context, &actor, customer_id.to_string(), command, None).await {
            Ok(outcome) => position = outcome.position,
            Err(CommandError::Domain(CustomerError::EmailAlreadyVerified)) => {}
            Err(other) => return Err(command_error(other)),
        }
    }
    Ok(with_position(ok(Done { position }), position))
}

/// 400 `auth.invalid_token` for the `token` field.
pub fn invalid_token() -> ApiError {
    ApiError::field(
        "token",
        ErrorCode::AuthInvalidToken,
        "the link is unknown, expired or already used; ask for a new one",
    )
}
