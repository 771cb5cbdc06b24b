//! Signing in: a short-lived JWT access token whose roles come from the account's
//! stream, and an opaque refresh token that is spent on use (rotation).

use axum::http::{HeaderValue, header};
use axum::response::Response;
use chrono::Utc;
use emporium_api_kit::ApiError;
use emporium_api_kit::envelope::ok;
use emporium_api_kit::token::Claims;
use emporium_domain::customer::Account;
use emporium_infra::accounts::TokenKind;
use serde::Serialize;

use emporium_commands::accounts::secrets;

use super::account::{account_error, role_names};
use crate::state::WriteState;

/// What login and refresh answer in `data`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Session {
    /// JWT to send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Opaque, single-use: trade it at `POST /api/v1/users/refresh` for a new pair.
    pub refresh_token: String,
    /// Seconds until the refresh token expires if unused.
    pub refresh_expires_in: u64,
    /// The signed-in customer.
    pub customer_id: String,
    /// The roles the access token carries (`admin`, `manager`, `customer`).
    pub roles: Vec<String>,
}

/// The 200 answer carrying a session, marked `Cache-Control: no-store` (RFC 6749
/// §5.1) so that no cache, proxy or idempotency store keeps live credentials.
pub fn answer(session: Session) -> Response {
    let mut response = ok(session);
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// Ends every session of the account: its refresh tokens are revoked and every access
/// token issued so far is refused from its next request on (password change or reset,
/// sign-out everywhere, a revoked role).
pub async fn end_all(state: &WriteState, customer_id: uuid::Uuid) -> Result<(), ApiError> {
    state.accounts.revoke_tokens(customer_id, TokenKind::Refresh).await.map_err(|e| ApiError::internal(&e))?;
    state.keys.sessions().end_all(customer_id).await?;
    Ok(())
}

/// Issues an access token and a fresh refresh token for `account`.
pub async fn open(state: &WriteState, account: &Account) -> Result<Session, ApiError> {
    let customer_id = account.id().as_uuid();
    let roles = role_names(account);
    let access_ttl = state.auth.access_ttl.as_secs().clamp(1, i64::MAX as u64);
    let now = Utc::now().timestamp();
    let version = state.keys.sessions().current(customer_id).await?;
    let claims = Claims::access(customer_id.to_string(), roles.clone(), now, access_ttl as i64, version);
    let refresh_token =
        secrets::issue(state.accounts.as_ref(), TokenKind::Refresh, customer_id, state.auth.refresh_ttl)
            .await
            .map_err(account_error)?;
    Ok(Session {
        access_token: state.keys.sign(&claims),
        token_type: "Bearer".to_owned(),
        expires_in: access_ttl,
        refresh_token,
        refresh_expires_in: state.auth.refresh_ttl.as_secs(),
        customer_id: customer_id.to_string(),
        roles,
    })
}
