//! `GET /api/v1/users/profile`: the caller's account as the `customers` read model
//! holds it.
//!
//! Read-your-writes: with `X-Emporium-Min-Position` the read waits for that position.
//! Without it, a profile not projected yet (a client that registers, signs in and
//! reads at once) waits, bounded, for the read model to reach the log's current head
//! before answering 404: an account that exists is never reported missing.

use axum::extract::State;
use axum::response::Response;
use emporium_api_kit::ErrorCode;
use emporium_api_kit::envelope::ok;
use emporium_api_kit::position::MinPosition;
use emporium_api_kit::{ApiError, Caller, Envelope};
use emporium_projections::models::customers::{CUSTOMERS, CustomerDoc};
use emporium_projections::models::timestamp;
use serde::Serialize;
use serde_json::Value;

use crate::document;
use crate::state::ReadState;

/// A customer's profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Profile {
    /// The customer's id.
    pub id: String,
    /// Sign-in address (lower-case).
    pub email: String,
    /// Display name.
    pub name: String,
    /// Contact number, if given.
    pub phone: Option<String>,
    /// Whether marketing mail is welcome.
    pub marketing_opt_in: bool,
    /// Whether the address has been verified through the mailed link.
    pub email_verified: bool,
    /// Roles held: `admin`, `manager`, `customer`.
    pub roles: Vec<String>,
    /// When the account was opened (RFC 3339, UTC).
    pub created_at: String,
    /// When the profile last changed.
    pub updated_at: String,
    /// When the password last changed, if ever.
    pub password_changed_at: Option<String>,
}

impl Profile {
    /// Reads a `customers` document.
    pub fn from_doc(doc: Value) -> Result<Self, ApiError> {
        let d: CustomerDoc = document::parse(CUSTOMERS, doc)?;
        Ok(Self {
            id: d.id.to_string(),
            email: d.email,
            name: d.name,
            phone: d.phone,
            marketing_opt_in: d.marketing_opt_in,
            email_verified: d.email_verified,
            roles: d.roles.iter().map(|role| role.as_str().to_owned()).collect(),
            created_at: timestamp(d.created_at),
            updated_at: timestamp(d.updated_at),
            password_changed_at: d.password_changed_at.map(timestamp),
        })
    }
}

/// The caller's own profile.
#[utoipa::path(
    get,
    path = "/api/v1/users/profile",
    tag = "users",
    params(("X-Emporium-Min-Position" = Option<u64>, Header, description = "Wait until this position is applied")),
    responses(
        (status = 200, description = "The profile", body = Envelope<Profile>),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
        (status = 404, description = "The account does not exist", body = Envelope<String>),
        (status = 503, description = "The read model has not reached `X-Emporium-Min-Position` in 5 s", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(customer_id = %caller.customer_id))]
pub async fn get_profile(
    State(state): State<ReadState>,
    caller: Caller,
    min: MinPosition,
) -> Result<Response, ApiError> {
    state.caught_up(min).await?;
    let id = caller.customer_id.to_string();
    if let Some(doc) = read(&state, &id).await? {
        return Ok(ok(Profile::from_doc(doc)?));
    }
    let head = state.events.head_position().await.map_err(|e| ApiError::internal(&e))?;
    state.caught_up(MinPosition(head)).await?;
    let doc = read(&state, &id).await?.ok_or_else(|| ApiError::new(ErrorCode::CustomerNotFound, "no such customer"))?;
    Ok(ok(Profile::from_doc(doc)?))
}

async fn read(state: &ReadState, id: &str) -> Result<Option<Value>, ApiError> {
    state.reads.get(CUSTOMERS, id).await.map_err(|e| ApiError::read_store(&e))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_projected_document_reads_as_a_profile() {
        let doc = serde_json::json!({
            "id": "0190a0a0-0000-7000-8000-000000000000", "email": "ann@example.com", "name": "Ann",
            "phone": null, "marketing_opt_in": false, "email_verified": true, "roles": ["customer"],
            "created_at": "2025-01-01T00:00:00.000000Z", "updated_at": "2025-01-01T00:00:00.000000Z",
            "password_changed_at": null,
        });
        let profile = Profile::from_doc(doc).unwrap();
        assert_eq!(profile.roles, ["customer"]);
        assert!(profile.email_verified);
    }
}
