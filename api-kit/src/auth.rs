//! Who is calling: a bearer token's customer and roles, or a guest.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use crate::error::ApiError;
use crate::token::TokenKeys;

/// The roles the API knows (the domain's); a request without a token is a guest.
pub use emporium_domain::customer::Role;

/// An authenticated caller (401 without a valid token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The customer id from the token.
    pub customer_id: uuid::Uuid,
    /// The roles from the token.
    pub roles: Vec<Role>,
}

impl Caller {
    /// True for Admin or Manager: staff may act on everyone's resources.
    pub fn is_staff(&self) -> bool {
        self.roles.iter().any(|r| matches!(r, Role::Admin | Role::Manager))
    }

    /// 403 unless the caller is Admin or Manager.
    pub fn require_staff(&self) -> Result<(), ApiError> {
        if self.is_staff() { Ok(()) } else { Err(ApiError::forbidden("this needs the Admin or Manager role")) }
    }

    /// 403 unless the caller is Admin.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.roles.contains(&Role::Admin) { Ok(()) } else { Err(ApiError::forbidden("this needs the Admin role")) }
    }

    /// Whether the caller may see a resource owned by `owner`: its owner or staff.
    pub fn may_access(&self, owner: uuid::Uuid) -> bool {
        self.customer_id == owner || self.is_staff()
    }

    /// The actor recorded in event metadata.
    pub fn actor(&self) -> String {
        let role = if self.roles.contains(&Role::Admin) {
            "admin"
        } else if self.roles.contains(&Role::Manager) {
            "manager"
        } else {
            "customer"
        };
        format!("{role}:{}", self.customer_id)
    }
}

fn bearer(parts: &Parts) -> Option<&str> {
    parts.headers.get(AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

async fn verify(keys: &TokenKeys, token: &str) -> Result<Caller, ApiError> {
    let claims = keys
        .verify(token, chrono::Utc::now().timestamp())
        .map_err(|e| ApiError::unauthorized(format!("invalid access token: {e}")))?;
    let customer_id = claims.sub.parse().map_err(|_| ApiError::unauthorized("invalid access token subject"))?;
    keys.sessions().check(customer_id, claims.ver.unwrap_or(0)).await?;
    Ok(Caller { customer_id, roles: claims.roles.iter().filter_map(|r| Role::parse(r)).collect() })
}

impl<S> FromRequestParts<S> for Caller
where
    TokenKeys: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)
            .ok_or_else(|| ApiError::unauthorized("this needs a bearer token: Authorization: Bearer <access_token>"))?;
        verify(&TokenKeys::from_ref(state), token).await
    }
}

/// A caller who may be a guest: `None` without a token; a bad token is still a 401.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guest(pub Option<Caller>);

impl<S> FromRequestParts<S> for Guest
where
    TokenKeys: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match bearer(parts) {
            None => Ok(Self(None)),
            Some(token) => verify(&TokenKeys::from_ref(state), token).await.map(|c| Self(Some(c))),
        }
    }
}
