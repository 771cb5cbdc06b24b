//! Passwords: changing one (given the current one), asking for a reset link, and
//! resetting with it. A new password ends every refresh token of the account here;
//! the caller also ends its access tokens (they are the HTTP layer's: session
//! versions in `api-kit`).

use chrono::Utc;
use emporium_domain::customer::{Customer, CustomerCommand, CustomerError};
use emporium_domain::ids::CustomerId;
use emporium_domain::values::Email;
use emporium_infra::accounts::TokenKind;
use emporium_infra::event_store::EventMetadata;
use uuid::Uuid;

use super::{AccountError, AccountPorts, Purpose, command, hashing, load, secrets, self_actor};
use crate::CommandError;

/// Changes the password of `customer_id` from `current` to `new`: refused as
/// [`AccountError::WrongPassword`] unless `current` is right. Returns the position of
/// the recorded change; `metadata` names the actor.
pub async fn change(
    ports: AccountPorts<'_>,
    customer_id: Uuid,
    current: String,
    new: String,
    metadata: EventMetadata,
) -> Result<u64, AccountError> {
    let accounts = ports.links.accounts;
    let credentials = accounts.credentials_by_id(customer_id).await?.ok_or(AccountError::NotFound)?;
    if !hashing::verify(current, credentials.password_hash).await? {
        return Err(AccountError::WrongPassword);
    }
    replace(ports, customer_id, new, metadata).await
}

/// Mails a reset link to `email` if it has an account; does nothing (and says
/// nothing) otherwise, so the answer cannot tell which addresses have accounts.
pub async fn request_reset(ports: AccountPorts<'_>, email: &Email) -> Result<(), AccountError> {
    let Some(credentials) = ports.links.accounts.credentials_by_email(email.as_str()).await? else {
        tracing::info!("forgot-password for an address without an account");
        return Ok(());
    };
    let Some((account, _)) = load(ports.commands, credentials.customer_id).await? else {
        return Ok(());
    };
    let (to, name) = (account.email().as_str(), account.name());
    ports.links.send(Purpose::PasswordReset, credentials.customer_id, to, name).await
}

/// Sets `new` as the password of the account the reset `token` was mailed to (the
/// token is spent; [`AccountError::InvalidToken`] when unknown, expired or used). The
/// link reached the address, which proves the customer owns it, so the address
/// counts as verified from now on. Returns the customer and the position of the last
/// event recorded.
pub async fn reset(
    ports: AccountPorts<'_>,
    token: &str,
    new: String,
    metadata: EventMetadata,
) -> Result<(Uuid, u64), AccountError> {
    let customer_id = secrets::redeem(ports.links.accounts, TokenKind::PasswordReset, token)
        .await?
        .ok_or(AccountError::InvalidToken)?;
    let (account, _) = load(ports.commands, customer_id).await?.ok_or(AccountError::NotFound)?;
    let metadata = EventMetadata { actor: Some(self_actor(customer_id)), ..metadata };
    let mut position = replace(ports, customer_id, new, metadata.clone()).await?;
    if !account.email_verified() {
        let verify = CustomerCommand::VerifyEmail { customer_id: CustomerId::from_uuid(customer_id), at: Utc::now() };
        match ports.commands.handle::<Customer>(&command(customer_id, verify, metadata)).await {
            Ok(outcome) => position = outcome.position,
            Err(CommandError::Domain(CustomerError::EmailAlreadyVerified)) => {}
            Err(other) => return Err(other.into()),
        }
    }
    Ok((customer_id, position))
}

/// Stores `password` as the account's new password and records the fact; returns
/// the position of the event.
async fn replace(
    ports: AccountPorts<'_>,
    customer_id: Uuid,
    password: String,
    metadata: EventMetadata,
) -> Result<u64, AccountError> {
    let accounts = ports.links.accounts;
    let password_hash = hashing::hash(password).await?;
    // The hash first: once the new password works, the fact follows; a crash in
    // between leaves a changed password without its event, never the reverse.
    accounts.set_password_hash(customer_id, &password_hash).await?;
    let change =
        CustomerCommand::RecordPasswordChange { customer_id: CustomerId::from_uuid(customer_id), at: Utc::now() };
    let outcome = ports.commands.handle::<Customer>(&command(customer_id, change, metadata)).await?;
    accounts.revoke_tokens(customer_id, TokenKind::PasswordReset).await?;
    accounts.revoke_tokens(customer_id, TokenKind::Refresh).await?;
    tracing::info!(%customer_id, "password changed; every refresh token revoked");
    Ok(outcome.position)
}
