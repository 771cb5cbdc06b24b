//! The operator's admin account (`emporium serve --admin-email … --admin-password …`):
//! made at start-up if missing, registered, verified and holding the Admin role.
//!
//! Idempotent across restarts: each step is taken only when the account's stream
//! shows it missing. The flags are authoritative for the password: when the stored
//! one differs it is replaced and the account's refresh tokens are revoked, so an
//! address someone else registered first cannot become an admin they can sign into.

use chrono::Utc;
use emporium_api_kit::{ApiError, RequestContext};
use emporium_commands::{CommandError, CommandOutcome};
use emporium_domain::customer::{Customer, CustomerCommand, CustomerError, Role};
use emporium_domain::ids::CustomerId;
use emporium_domain::values::Email;
use emporium_infra::accounts::{AccountStoreError, Credentials};
use uuid::Uuid;

use emporium_commands::accounts::hashing;
use emporium_commands::accounts::register::registration_command_id;

use super::account::{self, hashing_error, store_failed};
use crate::command::run;
use crate::errors::command_error;
use crate::input::Problems;
use crate::state::WriteState;

/// The actor recorded on the events start-up causes.
const ACTOR: &str = "system:admin-bootstrap";
/// The admin account's display name when it is created.
const ADMIN_NAME: &str = "Administrator";

/// Makes sure an Admin account with this address and password exists.
pub async fn ensure_admin(state: &WriteState, email: &str, password: &str) -> Result<(), ApiError> {
    let mut problems = Problems::default();
    let email = problems.email("admin_email", email);
    let password = problems.new_password("admin_password", password);
    let (email, password) = problems.finish(|| Some((email?, password?)))?;
    let context = RequestContext { request_id: Uuid::now_v7(), traceparent: None };
    let customer_id = ensure_login(state, &email, password).await?;
    let customer = CustomerId::from_uuid(customer_id);
    let aggregate = customer_id.to_string();
    if account::load(state, customer_id).await?.is_none() {
        let command = CustomerCommand::Register {
            customer_id: customer,
            email: email.clone(),
            name: ADMIN_NAME.to_owned(),
            at: Utc::now(),
        };
        settle(
            run::<Customer>(
                state,
                &context,
                ACTOR,
                aggregate.clone(),
                command,
                Some(registration_command_id(customer_id)),
            )
            .await,
        )?;
        tracing::info!(%customer_id, email = email.as_str(), "admin account registered");
    }
    let (admin, _) = account::require(state, customer_id).await?;
    if !admin.email_verified() {
        let command = CustomerCommand::VerifyEmail { customer_id: customer, at: Utc::now() };
        settle(run::<Customer>(state, &context, ACTOR, aggregate.clone(), command, None).await)?;
    }
    if !admin.has_role(Role::Admin) {
        let command = CustomerCommand::GrantRole { customer_id: customer, role: Role::Admin, at: Utc::now() };
        settle(run::<Customer>(state, &context, ACTOR, aggregate, command, None).await)?;
        tracing::info!(%customer_id, "admin role granted");
    }
    Ok(())
}

/// A step's outcome, where "already done" (another replica starting at the same
/// time got there first) counts as done.
fn settle(outcome: Result<CommandOutcome, CommandError<CustomerError>>) -> Result<(), ApiError> {
    match outcome {
        Ok(_)
        | Err(CommandError::Domain(
            CustomerError::AlreadyRegistered
            | CustomerError::EmailAlreadyVerified
            | CustomerError::RoleAlreadyGranted(_),
        )) => Ok(()),
        Err(other) => Err(command_error(other)),
    }
}

/// The login of the address with this password: created, kept, or re-keyed.
async fn ensure_login(state: &WriteState, email: &Email, password: String) -> Result<Uuid, ApiError> {
    let existing = match state.accounts.credentials_by_email(email.as_str()).await.map_err(store_failed)? {
        Some(existing) => existing,
        None => {
            let credentials = Credentials {
                customer_id: Uuid::now_v7(),
                email: email.as_str().to_owned(),
                password_hash: hashing::hash(password.clone()).await.map_err(hashing_error)?,
            };
            match state.accounts.create_credentials(&credentials).await {
                Ok(()) => return Ok(credentials.customer_id),
                // Another process made it meanwhile: continue with theirs.
                Err(AccountStoreError::Duplicate(_)) => state
                    .accounts
                    .credentials_by_email(email.as_str())
                    .await
                    .map_err(store_failed)?
                    .ok_or_else(account::not_found)?,
                Err(other) => return Err(store_failed(other)),
            }
        }
    };
    if !hashing::verify(password.clone(), existing.password_hash).await.map_err(hashing_error)? {
        let password_hash = hashing::hash(password).await.map_err(hashing_error)?;
        state.accounts.set_password_hash(existing.customer_id, &password_hash).await.map_err(store_failed)?;
        super::sessions::end_all(state, existing.customer_id).await?;
        tracing::warn!(customer_id = %existing.customer_id, "the admin password was set from the start-up flags");
    }
    Ok(existing.customer_id)
}
