//! Registering: claim the address with its password hash in the account store,
//! then record `CustomerRegistered`, then mail the address check.
//!
//! Crash safety: the claim comes first, so two registrations of one address never
//! both succeed. If the process stops after the claim but before the event, the
//! address is held by an account that was never recorded; a retry with the same
//! address and password finds that claim, checks the password against it and
//! finishes the registration under the claimed id (the command id is derived from
//! that id, so even a retry racing the original appends the event once). A
//! different password cannot take over a half-finished claim: that is 409 as well.

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
use super::input::Problems;
use super::mail::{self, Purpose};
use crate::command::run;
use crate::errors::command_error;
use crate::state::WriteState;

/// `POST /api/v1/users/register`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// Sign-in address; stored lower-cased; one account per address.
    pub email: String,
    /// 8 to 128 characters.
    pub password: String,
    /// Display name, 1 to 200 characters.
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

/// 409 `customer.email_taken`.
pub fn email_taken() -> ApiError {
    ApiError::conflict("customer.email_taken", "an account with this e-mail address already exists")
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
        (status = 201, description = "Account opened; a verification link was mailed", body = Envelope<Registered>,
            headers(("Location" = String, description = "/api/v1/users/profile"), ("X-Emporium-Position" = u64, description = "Position of the event"))),
        (status = 400, description = "Invalid e-mail, password (8-128 characters) or name (1-200)", body = Envelope<String>),
        (status = 409, description = "`customer.email_taken`", body = Envelope<String>),
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
    let customer_id = claim_address(&state, &new, password_hash).await?;
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
    .await
    .map_err(|error| match error {
        CommandError::Domain(CustomerError::AlreadyRegistered) => email_taken(),
        other => command_error(other),
    })?;
    tracing::info!(%customer_id, position = outcome.position, "customer registered");
    mail::send_logged(&state, Purpose::Verification, customer_id, new.email.as_str(), &new.name).await;
    let data = Registered {
        id: customer_id.to_string(),
        email: new.email.as_str().to_owned(),
        name: new.name,
        email_verified: false,
        position: outcome.position,
    };
    Ok(with_position(created("/api/v1/users/profile", data), outcome.position))
}

/// Claims the address with the new login; returns the account id to register under.
async fn claim_address(state: &WriteState, new: &NewAccount, password_hash: String) -> Result<Uuid, ApiError> {
    let candidate = Uuid::now_v7();
    let credentials = Credentials { customer_id: candidate, email: new.email.as_str().to_owned(), password_hash };
    match state.accounts.create_credentials(&credentials).await {
        Ok(()) => Ok(candidate),
        Err(AccountStoreError::Duplicate(_)) => resume_unfinished(state, new).await,
        Err(other) => Err(store_failed(other)),
    }
}

/// The address is claimed: 409, unless the claim is a registration that never got
/// its event and the caller knows its password.
async fn resume_unfinished(state: &WriteState, new: &NewAccount) -> Result<Uuid, ApiError> {
    let existing =
        state.accounts.credentials_by_email(new.email.as_str()).await.map_err(store_failed)?.ok_or_else(email_taken)?;
    if account::load(state, existing.customer_id).await?.is_some() {
        return Err(email_taken());
    }
    if hashing::verify(new.password.clone(), existing.password_hash).await? {
        tracing::warn!(customer_id = %existing.customer_id, "finishing a registration that stopped after claiming its address");
        Ok(existing.customer_id)
    } else {
        Err(email_taken())
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
