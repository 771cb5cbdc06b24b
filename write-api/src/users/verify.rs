//! Verifying the address with the mailed token, and asking for a new link.

use axum::extract::State;
use axum::response::Response;
use chrono::Utc;
use emporium_api_kit::ErrorCode;
use emporium_api_kit::envelope::ok;
use emporium_api_kit::position::with_position;
use emporium_api_kit::{ApiError, ApiJson, Caller, Envelope, RequestContext};
use emporium_commands::CommandError;
use emporium_domain::customer::{Customer, CustomerCommand, CustomerError};
use emporium_domain::ids::CustomerId;
use emporium_infra::accounts::TokenKind;
use serde::Deserialize;

use emporium_commands::accounts::{Purpose, secrets, self_actor};

use super::account::{self, account_error};
use super::answers::{Accepted, ProfileWritten};
use super::recovery::invalid_token;
use crate::command::run;
use crate::errors::command_error;
use crate::input::Problems;
use crate::state::WriteState;

/// `POST /api/v1/users/verify-email`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyEmailRequest {
    /// The `token` of the mailed link.
    #[schema(schema_with = emporium_api_kit::schema_rules::token)]
    pub token: String,
}

/// Marks the address of the token's account as verified (the token is spent).
#[utoipa::path(
    post,
    path = "/api/v1/users/verify-email",
    tag = "users",
    request_body = VerifyEmailRequest,
    responses(
        (status = 200, description = "Verified", body = Envelope<ProfileWritten>,
            headers(("X-Emporium-Position" = u64, description = "Position of the event"))),
        (status = 400, description = "`auth.invalid_token`: unknown, expired or already used", body = Envelope<String>),
    )
)]
#[tracing::instrument(skip_all)]
pub async fn verify_email(
    State(state): State<WriteState>,
    context: RequestContext,
    ApiJson(body): ApiJson<VerifyEmailRequest>,
) -> Result<Response, ApiError> {
    let mut problems = Problems::default();
    let token = problems.token("token", &body.token);
    let token = problems.finish(|| token)?;
    let customer_id = secrets::redeem(state.accounts.as_ref(), TokenKind::EmailVerification, &token)
        .await
        .map_err(account_error)?
        .ok_or_else(invalid_token)?;
    let command = CustomerCommand::VerifyEmail { customer_id: CustomerId::from_uuid(customer_id), at: Utc::now() };
    match run::<Customer>(&state, &context, &self_actor(customer_id), customer_id.to_string(), command, None).await {
        Ok(_) | Err(CommandError::Domain(CustomerError::EmailAlreadyVerified)) => {}
        Err(other) => return Err(command_error(other)),
    }
    let (account, position) = account::require(&state, customer_id).await?;
    Ok(with_position(ok(ProfileWritten::of(&account, position)), position))
}

/// Mails the caller a new verification link.
#[utoipa::path(
    post,
    path = "/api/v1/users/verify-email/resend",
    tag = "users",
    responses(
        (status = 200, description = "A new link is on its way", body = Envelope<Accepted>),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
        (status = 409, description = "`customer.email_already_verified`", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(customer_id = %caller.customer_id))]
pub async fn resend_verification(State(state): State<WriteState>, caller: Caller) -> Result<Response, ApiError> {
    let (account, _) = account::require(&state, caller.customer_id).await?;
    if account.email_verified() {
        return Err(ApiError::new(ErrorCode::CustomerEmailAlreadyVerified, "the e-mail address is already verified"));
    }
    state
        .account_ports()
        .links
        .send(Purpose::Verification, caller.customer_id, account.email().as_str(), account.name())
        .await
        .map_err(account_error)?;
    Ok(ok(Accepted { accepted: true }))
}
