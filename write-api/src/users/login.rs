//! Signing in and out: login with address and password, refresh-token rotation,
//! logout.
//!
//! Refresh tokens rotate: each is spent by its use and remembered as spent until it
//! would have expired. A spent token presented again was copied (by a thief, or the
//! thief used it first), so every refresh token of the account is revoked and both
//! parties must sign in again (OAuth 2.0 Security BCP, refresh token reuse detection;
//! the "family" here is the whole account, which also ends the customer's other
//! devices' sessions: the safe side).
//!
//! Login answers the same 401 for an unknown address, a wrong password and a
//! registration that never finished, and spends the same Argon2 time on each, so
//! neither the answer nor its timing tells which addresses have accounts.

use axum::extract::State;
use axum::response::Response;
use emporium_api_kit::ErrorCode;
use emporium_api_kit::envelope::ok;
use emporium_api_kit::{ApiError, ApiJson, Caller, Envelope};
use emporium_infra::accounts::TokenKind;
use serde::Deserialize;

use emporium_commands::accounts::{hashing, secrets};

use super::account::{self, account_error, hashing_error, store_failed};
use super::answers::Done;
use super::sessions::{self, Session};
use crate::input::Problems;
use crate::state::WriteState;

/// `POST /api/v1/users/login`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The sign-in address (any case).
    #[schema(schema_with = emporium_api_kit::schema_rules::email)]
    pub email: String,
    /// The password.
    #[schema(min_length = 1, max_length = 128, pattern = "^[^\\x00]*$")]
    pub password: String,
}

/// `POST /api/v1/users/refresh`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token from login or the last refresh; it is spent by this call.
    #[schema(schema_with = emporium_api_kit::schema_rules::token)]
    pub refresh_token: String,
}

/// `POST /api/v1/users/logout`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogoutRequest {
    /// The refresh token to revoke.
    #[schema(schema_with = emporium_api_kit::schema_rules::token)]
    pub refresh_token: String,
    /// Also revoke every other refresh token of the caller (sign out everywhere).
    #[serde(default)]
    pub everywhere: bool,
}

/// 401 `auth.invalid_credentials`.
fn invalid_credentials() -> ApiError {
    ApiError::new(ErrorCode::AuthInvalidCredentials, "the e-mail address or password is wrong")
}

/// 401 `auth.invalid_refresh_token`.
fn invalid_refresh_token() -> ApiError {
    ApiError::new(
        ErrorCode::AuthInvalidRefreshToken,
        "the refresh token is unknown, expired or already used; log in again",
    )
}

/// Signs in: an access token and a refresh token.
#[utoipa::path(
    post,
    path = "/api/v1/users/login",
    tag = "users",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = Envelope<Session>),
        (status = 400, description = "Malformed address or over-long password", body = Envelope<String>),
        (status = 401, description = "`auth.invalid_credentials`: unknown address or wrong password", body = Envelope<String>),
        (status = 429, description = "`auth.too_many_attempts` for this address (any address, registered or not), or `request.rate_limited` for this client", body = Envelope<String>),
    )
)]
#[tracing::instrument(skip_all)]
pub async fn login(
    State(state): State<WriteState>,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    let mut problems = Problems::default();
    let email = problems.email("email", &body.email);
    let password = problems.given_password("password", &body.password);
    let (email, password) = problems.finish(|| Some((email?, password?)))?;
    state.attempts.attempt(email.as_str()).await?;
    let Some(credentials) = state.accounts.credentials_by_email(email.as_str()).await.map_err(store_failed)? else {
        hashing::verify_dummy(password).await.map_err(hashing_error)?;
        return Err(invalid_credentials());
    };
    if !hashing::verify(password, credentials.password_hash).await.map_err(hashing_error)? {
        tracing::info!(customer_id = %credentials.customer_id, "login refused: wrong password");
        return Err(invalid_credentials());
    }
    let Some((account, _)) = account::load(&state, credentials.customer_id).await? else {
        return Err(invalid_credentials());
    };
    let session = sessions::open(&state, &account).await?;
    tracing::info!(customer_id = %credentials.customer_id, "signed in");
    Ok(sessions::answer(session))
}

/// Trades a refresh token for a new access token and a new refresh token.
#[utoipa::path(
    post,
    path = "/api/v1/users/refresh",
    tag = "users",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new pair; the refresh token sent is spent", body = Envelope<Session>),
        (status = 400, description = "Not a token this shop issues", body = Envelope<String>),
        (status = 401, description = "`auth.invalid_refresh_token`: unknown, expired, revoked or already used", body = Envelope<String>),
    )
)]
#[tracing::instrument(skip_all)]
pub async fn refresh(
    State(state): State<WriteState>,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> Result<Response, ApiError> {
    let mut problems = Problems::default();
    let token = problems.token("refresh_token", &body.refresh_token);
    let token = problems.finish(|| token)?;
    let Some(customer_id) =
        secrets::redeem(state.accounts.as_ref(), TokenKind::Refresh, &token).await.map_err(account_error)?
    else {
        if let Some(customer_id) =
            secrets::redeem(state.accounts.as_ref(), TokenKind::SpentRefresh, &token).await.map_err(account_error)?
        {
            tracing::warn!(%customer_id, "a spent refresh token was presented again; revoking every session of the account");
            sessions::end_all(&state, customer_id).await?;
        }
        return Err(invalid_refresh_token());
    };
    secrets::remember_spent(state.accounts.as_ref(), customer_id, &token, state.auth.refresh_ttl)
        .await
        .map_err(account_error)?;
    // Roles are read again, so a granted or revoked role reaches the new access token.
    let (account, _) = account::load(&state, customer_id).await?.ok_or_else(invalid_refresh_token)?;
    Ok(sessions::answer(sessions::open(&state, &account).await?))
}

/// Revokes a refresh token (or all of the caller's); access tokens run out on their own.
#[utoipa::path(
    post,
    path = "/api/v1/users/logout",
    tag = "users",
    request_body = LogoutRequest,
    responses(
        (status = 200, description = "Signed out (also when the token was already spent)", body = Envelope<Done>),
        (status = 400, description = "Not a token this shop issues", body = Envelope<String>),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(customer_id = %caller.customer_id))]
pub async fn logout(
    State(state): State<WriteState>,
    caller: Caller,
    ApiJson(body): ApiJson<LogoutRequest>,
) -> Result<Response, ApiError> {
    let mut problems = Problems::default();
    let token = problems.token("refresh_token", &body.refresh_token);
    let token = problems.finish(|| token)?;
    secrets::redeem(state.accounts.as_ref(), TokenKind::Refresh, &token).await.map_err(account_error)?;
    if body.everywhere {
        sessions::end_all(&state, caller.customer_id).await?;
    }
    Ok(ok(Done { position: 0 }))
}
