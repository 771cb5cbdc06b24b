//! `POST /api/v1/users/register`: the body checked into a
//! [`Register`](emporium_commands::accounts::register::Register), the use case run
//! (`commands/src/accounts/register.rs`: claim, record, mail), the outcome answered.
//!
//! No enumeration: an address that already has an account gets the same 201 as a new
//! one (with an id that belongs to no account, and the log's head as its position),
//! and its owner gets a mail saying someone tried. Only the mailbox learns the truth.

use axum::extract::State;
use axum::response::Response;
use emporium_api_kit::envelope::created;
use emporium_api_kit::position::with_position;
use emporium_api_kit::{ApiError, ApiJson, Envelope, RequestContext};
use emporium_commands::accounts::register::{self, Register, Registration};
use serde::Deserialize;
use uuid::Uuid;

use super::account::account_error;
use super::answers::Registered;
use crate::input::Problems;
use crate::state::WriteState;

/// `POST /api/v1/users/register`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// Sign-in address; stored lower-cased; one account per address.
    #[schema(schema_with = emporium_api_kit::schema_rules::email)]
    pub email: String,
    /// 8 to 128 characters.
    #[schema(min_length = 8, max_length = 128, pattern = "^[^\\x00]*$")]
    pub password: String,
    /// Display name, 1 to 200 characters (trimmed; not blank).
    #[schema(schema_with = emporium_api_kit::schema_rules::text::<200>)]
    pub name: String,
}

/// The checked body: every bad field named at once.
fn checked(body: RegisterRequest) -> Result<Register, ApiError> {
    let mut problems = Problems::default();
    let email = problems.email("email", &body.email);
    let password = problems.new_password("password", &body.password);
    let name = problems.name("name", &body.name);
    problems.finish(|| Some(Register { email: email?, password: password?, name: name? }))
}

/// The 201 answer, for a new account or (with a made-up id) for a taken address.
fn registered(new: Register, id: Uuid, position: u64) -> Response {
    let data = Registered {
        id: id.to_string(),
        email: new.email.as_str().to_owned(),
        name: new.name,
        email_verified: false,
        position,
    };
    with_position(created("/api/v1/users/profile", data), position)
}

/// Opens an account and mails a link to verify its address.
#[utoipa::path(
    post,
    path = "/api/v1/users/register",
    tag = "users",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account opened and a verification link mailed; the same answer for an address that already has an account (its owner is mailed instead)", body = Envelope<Registered>,
            headers(("Location" = String, description = "/api/v1/users/profile"), ("X-Emporium-Position" = u64, description = "Position of the event"))),
        (status = 400, description = "Invalid e-mail, password (8-128 characters) or name (1-200)", body = Envelope<String>),
        (status = 415, description = "The body is not JSON", body = Envelope<String>),
    )
)]
#[tracing::instrument(skip_all)]
pub async fn register(
    State(state): State<WriteState>,
    context: RequestContext,
    ApiJson(body): ApiJson<RegisterRequest>,
) -> Result<Response, ApiError> {
    let new = checked(body)?;
    // The use case names the new customer as the actor.
    let metadata = context.metadata("guest");
    match register::register(state.account_ports(), &new, metadata).await.map_err(account_error)? {
        Registration::Opened { customer_id, position } => Ok(registered(new, customer_id, position)),
        Registration::AddressTaken { head } => Ok(registered(new, Uuid::now_v7(), head)),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_field_is_named() {
        let body = RegisterRequest { email: "nope".into(), password: "short".into(), name: " ".into() };
        let error = checked(body).unwrap_err();
        let fields: Vec<_> = error.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["email", "password", "name"]);
    }
}
