//! Verifying the address with the mailed token, and asking for a new link.

use axum::extract::State;
use axum::response::Response;
use emporium_api_kit::envelope::ok;
use emporium_api_kit::position::with_position;
use emporium_api_kit::{ApiError, ApiJson, Caller, Envelope, RequestContext};
use emporium_commands::accounts::verification;
use serde::Deserialize;

use super::account::account_error;
use super::answers::{Accepted, ProfileWritten};
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
    let (account, position) =
        verification::verify(state.account_ports(), &token, context.metadata("guest")).await.map_err(account_error)?;
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
    verification::resend(state.account_ports(), caller.customer_id).await.map_err(account_error)?;
    Ok(ok(Accepted { accepted: true }))
}
