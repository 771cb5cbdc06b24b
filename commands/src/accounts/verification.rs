//! Verifying an address with the mailed token, and mailing a new link.

use chrono::Utc;
use emporium_domain::customer::{Account, Customer, CustomerCommand, CustomerError};
use emporium_domain::ids::CustomerId;
use emporium_infra::accounts::TokenKind;
use emporium_infra::event_store::EventMetadata;
use uuid::Uuid;

use super::{AccountError, AccountPorts, Purpose, command, load, secrets, self_actor};
use crate::CommandError;

/// Marks the address of the account the verification `token` was mailed to as
/// verified (the token is spent; [`AccountError::InvalidToken`] when unknown, expired
/// or used; verifying twice is no error). Returns the account as it is now and the
/// position of its last event.
pub async fn verify(
    ports: AccountPorts<'_>,
    token: &str,
    metadata: EventMetadata,
) -> Result<(Account, u64), AccountError> {
    let customer_id = secrets::redeem(ports.links.accounts, TokenKind::EmailVerification, token)
        .await?
        .ok_or(AccountError::InvalidToken)?;
    let metadata = EventMetadata { actor: Some(self_actor(customer_id)), ..metadata };
    let verify = CustomerCommand::VerifyEmail { customer_id: CustomerId::from_uuid(customer_id), at: Utc::now() };
    match ports.commands.handle::<Customer>(&command(customer_id, verify, metadata)).await {
        Ok(_) | Err(CommandError::Domain(CustomerError::EmailAlreadyVerified)) => {}
        Err(other) => return Err(other.into()),
    }
    load(ports.commands, customer_id).await?.ok_or(AccountError::NotFound)
}

/// Mails `customer_id` a new verification link; refused with
/// `customer.email_already_verified` when there is nothing left to verify.
pub async fn resend(ports: AccountPorts<'_>, customer_id: Uuid) -> Result<(), AccountError> {
    let (account, _) = load(ports.commands, customer_id).await?.ok_or(AccountError::NotFound)?;
    if account.email_verified() {
        return Err(CommandError::Domain(CustomerError::EmailAlreadyVerified).into());
    }
    ports.links.send(Purpose::Verification, customer_id, account.email().as_str(), account.name()).await
}
