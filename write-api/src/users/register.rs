//! Registering: claim the address with its password hash in the account store,
//! then record `CustomerRegistered`, then mail the address check.
//!
//! Crash safety: the claim comes first, so two registrations of one address never
//! both succeed. If the process stops after the claim but before the event, the
//! address is held by an account that was never recorded; a retry with the same
//! address and password finds that claim, checks the password against it and
//! finishes the registration under the claimed id (the command id is derived from
//! that id, so even a retry racing the original appends the event once). A
//! different password cannot take over a half-finished claim.
//!
//! No enumeration: an address that already has an account gets the same 201 as a new
//! one (with an id that belongs to no account, and the log's head as its position),
//! and its owner gets a mail saying someone tried. Only the mailbox learns the truth.

use axum::extract::State;
use axum::response::Response;
use chrono::Utc;
use emporium_api_kit::envelope::created;
use emporium_api_kit::position::with_position;
use emporium_api_kit::{ApiError, ApiJson, Envelope, RequestContext};
use emporium_commands::CommandError;
use emporium_domain::customer::{Customer, CustomerCommand, CustomerError};
use emporium_domain::ids::CustomerId;
use emporium_domain::values::Email;
use emporium_infra::accounts::{AccountStoreError, Credentials};
use serde::Deserialize;
use uuid::Uuid;

use super::account::{self, self_actor, store_failed};
use super::answers::Registered;
use super::hashing;
use super::mail::{self, Purpose};
use crate::command::run;
use crate::errors::command_error;
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

/// A checked registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    /// The address, normalised.
    pub email: Email,
    /// The password as sent.
    pub password: String,
    /// The name, trimmed.
    pub name: String,
}

impl TryFrom<RegisterRequest> for NewAccount {
    type Error = ApiError;

    fn try_from(body: RegisterRequest) -> Result<Self, ApiError> {
        let mut problems = Problems::default();
        let email = problems.email("email", &body.email);
        let password = problems.new_password("password", &body.password);
        let name = problems.name("name", &body.name);
        problems.finish(|| Some(NewAccount { email: email?, password: password?, name: name? }))
    }
}

/// Why register did not open an account: the address has one (or a half-made one
/// whose password the caller does not know).
#[derive(Debug)]
struct AddressTaken;

/// The 201 answer, for a new account or (with a made-up id) for a taken address.
fn registered(new: NewAccount, id: Uuid, position: u64) -> Response {
    let data = Registered {
        id: id.to_string(),
        email: new.email.as_str().to_owned(),
        name: new.name,
        email_verified: false,
        position,
    };
    with_position(created("/api/v1/users/profile", data), position)
}

/// Answers a registration of a taken address exactly as a new one, and warns its owner.
async fn pretend_registered(state: &WriteState, new: NewAccount) -> Result<Response, ApiError> {
    tracing::info!("registration refused: the address has an account (answered as if new; the owner is mailed)");
    mail::send_registration_attempt(state, new.email.as_str()).await;
    let head = state.commands.store().head_position().await.map_err(|e| ApiError::internal(&e))?;
    Ok(registered(new, Uuid::now_v7(), head))
}

/// The command id of an account's registration: one per account id, so a repeated
/// attempt appends nothing new.
pub fn registration_command_id(customer_id: Uuid) -> Uuid {
    Uuid::new_v5(&customer_id, b"emporium:customer:register")
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
    let new = NewAccount::try_from(body)?;
    let password_hash = hashing::hash(new.password.clone()).await?;
    let Ok(customer_id) = claim_address(&state, &new, password_hash).await? else {
        return pretend_registered(&state, new).await;
    };
    let command = CustomerCommand::Register {
        customer_id: CustomerId::from_uuid(customer_id),
        email: new.email.clone(),
        name: new.name.clone(),
        at: Utc::now(),
    };
    let outcome = run::<Customer>(
        &state,
        &context,
        &self_actor(customer_id),
        customer_id.to_string(),
        command,
        Some(registration_command_id(customer_id)),
    )
    .await;
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(CommandError::Domain(CustomerError::AlreadyRegistered)) => return pretend_registered(&state, new).await,
        Err(other) => return Err(command_error(other)),
    };
    tracing::info!(%customer_id, position = outcome.position, "customer registered");
    mail::send_logged(&state, Purpose::Verification, customer_id, new.email.as_str(), &new.name).await;
    Ok(registered(new, customer_id, outcome.position))
}

/// Claims the address with the new login; returns the account id to register under.
async fn claim_address(
    state: &WriteState,
    new: &NewAccount,
    password_hash: String,
) -> Result<Result<Uuid, AddressTaken>, ApiError> {
    let candidate = Uuid::now_v7();
    let credentials = Credentials { customer_id: candidate, email: new.email.as_str().to_owned(), password_hash };
    match state.accounts.create_credentials(&credentials).await {
        Ok(()) => Ok(Ok(candidate)),
        Err(AccountStoreError::Duplicate(_)) => resume_unfinished(state, new).await,
        Err(other) => Err(store_failed(other)),
    }
}

/// The address is claimed: taken, unless the claim is a registration that never got
/// its event and the caller knows its password.
async fn resume_unfinished(state: &WriteState, new: &NewAccount) -> Result<Result<Uuid, AddressTaken>, ApiError> {
    let Some(existing) = state.accounts.credentials_by_email(new.email.as_str()).await.map_err(store_failed)? else {
        return Ok(Err(AddressTaken));
    };
    if account::load(state, existing.customer_id).await?.is_some() {
        return Ok(Err(AddressTaken));
    }
    if hashing::verify(new.password.clone(), existing.password_hash).await? {
        tracing::warn!(customer_id = %existing.customer_id, "finishing a registration that stopped after claiming its address");
        Ok(Ok(existing.customer_id))
    } else {
        Ok(Err(AddressTaken))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_field_is_named() {
        let body = RegisterRequest { email: "nope".into(), password: "short".into(), name: " ".into() };
        let error = NewAccount::try_from(body).unwrap_err();
        let fields: Vec<_> = error.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["email", "password", "name"]);
    }

    #[test]
    fn a_registration_command_id_is_stable_per_account() {
        let id = Uuid::now_v7();
        assert_eq!(registration_command_id(id), registration_command_id(id));
        assert_ne!(registration_command_id(id), registration_command_id(Uuid::now_v7()));
    }
}
