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
//! No enumeration: an address that already has an account is
//! [`Registration::AddressTaken`], which the caller answers exactly as a new account;
//! its owner is mailed a warning instead. Only the mailbox learns the truth.

use chrono::Utc;
use emporium_domain::customer::{Customer, CustomerCommand, CustomerError};
use emporium_domain::ids::CustomerId;
use emporium_domain::values::Email;
use emporium_infra::accounts::{AccountStoreError, Credentials};
use emporium_infra::event_store::EventMetadata;
use uuid::Uuid;

use super::{AccountError, AccountPorts, Purpose, hashing, load, self_actor};
use crate::{Command, CommandError};

/// A checked registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Register {
    /// The address, normalised.
    pub email: Email,
    /// The password as sent.
    pub password: String,
    /// The name, trimmed.
    pub name: String,
}

/// What a registration did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registration {
    /// A new account, its registration at `position`; the address check was mailed.
    Opened {
        /// The account's id.
        customer_id: Uuid,
        /// The global position of `CustomerRegistered`.
        position: u64,
    },
    /// The address has an account (or a half-made one whose password the caller does
    /// not know); its owner was mailed. `head` is the log's head, for an answer that
    /// looks like a new registration's.
    AddressTaken {
        /// The event log's head position.
        head: u64,
    },
}

/// The command id of an account's registration: one per account id, so a repeated
/// attempt appends nothing new.
pub fn registration_command_id(customer_id: Uuid) -> Uuid {
    Uuid::new_v5(&customer_id, b"emporium:customer:register")
}

/// Opens an account for `request` (see the module's notes); `metadata` is the
/// request's (correlation, trace), the actor is set to the new customer.
pub async fn register(
    ports: AccountPorts<'_>,
    request: &Register,
    metadata: EventMetadata,
) -> Result<Registration, AccountError> {
    let password_hash = hashing::hash(request.password.clone()).await?;
    let Some(customer_id) = claim_address(ports, request, password_hash).await? else {
        return address_taken(ports, request).await;
    };
    let command = Command {
        command_id: registration_command_id(customer_id),
        aggregate_id: customer_id.to_string(),
        payload: CustomerCommand::Register {
            customer_id: CustomerId::from_uuid(customer_id),
            email: request.email.clone(),
            name: request.name.clone(),
            at: Utc::now(),
        },
        metadata: EventMetadata { actor: Some(self_actor(customer_id)), ..metadata },
    };
    let outcome = match ports.commands.handle::<Customer>(&command).await {
        Ok(outcome) => outcome,
        Err(CommandError::Domain(CustomerError::AlreadyRegistered)) => return address_taken(ports, request).await,
        Err(other) => return Err(other.into()),
    };
    tracing::info!(%customer_id, position = outcome.position, "customer registered");
    let (email, name) = (request.email.as_str(), request.name.as_str());
    ports.links.send_logged(Purpose::Verification, customer_id, email, name).await;
    Ok(Registration::Opened { customer_id, position: outcome.position })
}

/// The address is someone's: warn its owner, and give the caller the log's head.
async fn address_taken(ports: AccountPorts<'_>, request: &Register) -> Result<Registration, AccountError> {
    tracing::info!("registration refused: the address has an account (answered as if new; the owner is mailed)");
    ports.links.send_registration_attempt(request.email.as_str()).await;
    let head = ports.commands.store().head_position().await.map_err(CommandError::Store)?;
    Ok(Registration::AddressTaken { head })
}

/// Claims the address with the new login; returns the account id to register under,
/// `None` when the address is taken.
async fn claim_address(
    ports: AccountPorts<'_>,
    request: &Register,
    password_hash: String,
) -> Result<Option<Uuid>, AccountError> {
    let candidate = Uuid::now_v7();
    let credentials = Credentials { customer_id: candidate, email: request.email.as_str().to_owned(), password_hash };
    match ports.links.accounts.create_credentials(&credentials).await {
        Ok(()) => Ok(Some(candidate)),
        Err(AccountStoreError::Duplicate(_)) => resume_unfinished(ports, request).await,
        Err(other) => Err(other.into()),
    }
}

/// The address is claimed: taken, unless the claim is a registration that never got
/// its event and the caller knows its password.
async fn resume_unfinished(ports: AccountPorts<'_>, request: &Register) -> Result<Option<Uuid>, AccountError> {
    let Some(existing) = ports.links.accounts.credentials_by_email(request.email.as_str()).await? else {
        return Ok(None);
    };
    if load(ports.commands, existing.customer_id).await?.is_some() {
        return Ok(None);
    }
    if hashing::verify(request.password.clone(), existing.password_hash).await? {
        tracing::warn!(customer_id = %existing.customer_id, "finishing a registration that stopped after claiming its address");
        Ok(Some(existing.customer_id))
    } else {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_registration_command_id_is_stable_per_account() {
        let id = Uuid::now_v7();
        assert_eq!(registration_command_id(id), registration_command_id(id));
        assert_ne!(registration_command_id(id), registration_command_id(Uuid::now_v7()));
    }
}
