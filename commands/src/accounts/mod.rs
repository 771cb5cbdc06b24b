//! Account use cases: registering (the address claimed in the account store, the
//! registration recorded, the address check mailed), verifying the address, changing
//! and resetting the password; and the pieces every account flow shares: password hashing ([`hashing`]), single-use tokens ([`secrets`]) and
//! the links mailed for them ([`links`]).
//!
//! Passwords, token digests and address claims live in the account store, never in
//! an event; the log records only that an account exists and what it holds.

pub mod hashing;
pub mod links;
pub mod password;
pub mod register;
pub mod secrets;
pub mod verification;

use emporium_domain::customer::{Account, Customer, CustomerCommand, CustomerError};
use emporium_infra::accounts::AccountStoreError;
use emporium_infra::event_store::EventMetadata;
use emporium_infra::mailer::MailError;
use uuid::Uuid;

use crate::handler::CommandHandler;
use crate::{Command, CommandError};

pub use hashing::HashingError;
pub use links::{LinkSettings, Links, Purpose};
pub use secrets::RandomnessError;

/// What an account use case needs: the command handler for the customer's stream,
/// and the token store, mailer and link settings for what it mails.
#[derive(Clone, Copy)]
pub struct AccountPorts<'a> {
    /// Runs commands on `customer-<id>` streams.
    pub commands: &'a CommandHandler,
    /// The account store, the mailer and where links point.
    pub links: Links<'a>,
}

/// Why an account use case failed (a refusal the caller should see is a
/// [`CommandError::Domain`] inside [`AccountError::Command`]).
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// Hashing was saturated or failed.
    #[error(transparent)]
    Hashing(#[from] HashingError),
    /// The account store failed (see [`AccountStoreError::is_unavailable`]).
    #[error(transparent)]
    Store(#[from] AccountStoreError),
    /// No randomness for a token.
    #[error(transparent)]
    Randomness(#[from] RandomnessError),
    /// A link could not be mailed.
    #[error("mailing a link: {0}")]
    Mail(#[source] MailError),
    /// The customer's stream refused the command, or the event store failed.
    #[error(transparent)]
    Command(#[from] CommandError<CustomerError>),
    /// No account has this id.
    #[error("no such customer")]
    NotFound,
    /// A mailed token is unknown, expired or already used.
    #[error("the link is unknown, expired or already used")]
    InvalidToken,
    /// The current password given is wrong.
    #[error("the current password is wrong")]
    WrongPassword,
}

/// The actor recorded on events a customer causes about their own account.
pub fn self_actor(customer_id: Uuid) -> String {
    format!("customer:{customer_id}")
}

/// A command on the customer's stream with a fresh command id.
fn command(customer_id: Uuid, payload: CustomerCommand, metadata: EventMetadata) -> Command<CustomerCommand> {
    Command { command_id: Uuid::now_v7(), aggregate_id: customer_id.to_string(), payload, metadata }
}

/// The account in stream `customer-<id>` and the global position of its last event;
/// `None` when nothing was registered there.
pub async fn load(commands: &CommandHandler, customer_id: Uuid) -> Result<Option<(Account, u64)>, AccountError> {
    let (customer, _version, position) = commands.load::<Customer>(&customer_id.to_string()).await?;
    Ok(customer.account().cloned().map(|account| (account, position)))
}
