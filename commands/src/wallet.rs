//! Saved payment methods: saving a provider token to a customer's wallet, and
//! choosing the method an order is paid with.
//!
//! Provider tokens live outside the event log: the account store keeps each one
//! under a method id (`claim_unique(ClaimKind::PaymentToken, method_id, token)`),
//! events and orders carry only the id, and the checkout saga resolves it with
//! `unique_owner(ClaimKind::PaymentToken, method_id)`. Saved methods get their id
//! from the wallet; a token given directly to pay an order gets a fresh id of its
//! own, unless the customer saved that token before.

use chrono::Utc;
use emporium_domain::Decider;
use emporium_domain::ids::{CustomerId, PaymentMethodId};
use emporium_domain::payment::wallet::SavedMethod;
use emporium_domain::payment::{MethodToken, Wallet, WalletCommand, WalletError, WalletState};
use emporium_infra::accounts::{AccountStore, AccountStoreError, ClaimKind};
use emporium_infra::event_store::EventMetadata;
use emporium_infra::payments::{GatewayError, PaymentGateway};
use uuid::Uuid;

use crate::{Command, CommandError, CommandHandler};

/// What the wallet use cases need.
#[derive(Clone, Copy)]
pub struct WalletPorts<'a> {
    /// Runs commands on `wallet-<customer>` streams.
    pub commands: &'a CommandHandler,
    /// Keeps tokens outside the log.
    pub accounts: &'a dyn AccountStore,
    /// Describes tokens (brand, last four digits).
    pub gateway: &'a dyn PaymentGateway,
}

/// How an order is to be paid.
#[derive(Debug, Clone)]
pub enum MethodChoice {
    /// One of the customer's saved methods.
    Saved(PaymentMethodId),
    /// A provider token given directly.
    Token(MethodToken),
}

/// A method saved (or found saved already).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodSaved {
    /// The method as the wallet holds it.
    pub method: SavedMethod,
    /// The global position of the wallet's last event.
    pub position: u64,
    /// False when this token was saved before (by this or a concurrent request).
    pub created: bool,
}

/// Why a wallet use case failed.
#[derive(Debug, thiserror::Error)]
pub enum WalletUseError {
    /// The provider refused or could not describe the token.
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    /// The customer has no saved method with this id.
    #[error("no saved payment method of yours has this id")]
    MethodNotFound,
    /// The wallet refused, or the event store failed.
    #[error(transparent)]
    Command(#[from] CommandError<WalletError>),
    /// The account store (where tokens are kept) failed.
    #[error(transparent)]
    Accounts(#[from] AccountStoreError),
    /// A state that cannot happen (a method id holding another token, a saved
    /// method gone from its wallet).
    #[error("{0}")]
    Inconsistent(String),
}

/// Saves `token` (e.g. `pm_card_visa`) to the wallet of `customer_id`; a token saved
/// before answers its existing method.
pub async fn save_method(
    ports: WalletPorts<'_>,
    customer_id: CustomerId,
    token: &MethodToken,
    metadata: EventMetadata,
) -> Result<MethodSaved, WalletUseError> {
    let details = ports.gateway.describe_method(token.expose()).await?;
    let (current, position) = wallet(ports.commands, customer_id).await?;
    if let Some(method) = existing(&current, token) {
        return Ok(MethodSaved { method, position, created: false });
    }
    let method_id = PaymentMethodId::from_uuid(Uuid::now_v7());
    let payload = WalletCommand::SaveMethod {
        customer_id,
        method_id,
        provider: ports.gateway.name().to_owned(),
        token: token.clone(),
        brand: details.brand,
        last4: details.last4,
        at: Utc::now(),
    };
    // The wallet's own rules first, so a refused request keeps no token.
    Wallet::decide(&current, &payload).map_err(CommandError::Domain)?;
    keep_token(ports.accounts, method_id, token).await?;
    let command = Command { command_id: Uuid::now_v7(), aggregate_id: customer_id.to_string(), payload, metadata };
    let outcome = ports.commands.handle::<Wallet>(&command).await?;
    let (after, position) = wallet(ports.commands, customer_id).await?;
    match after.wallet().and_then(|w| w.method(method_id)).cloned() {
        Some(method) if outcome.appended > 0 => Ok(MethodSaved { method, position: outcome.position, created: true }),
        // A concurrent request saved the same token first: answer with its method.
        _ => match existing(&after, token) {
            Some(method) => Ok(MethodSaved { method, position, created: false }),
            None => Err(WalletUseError::Inconsistent("a saved payment method vanished from its wallet".to_owned())),
        },
    }
}

/// The method id an order of `customer_id` is to be paid with: a saved method, or a
/// token the provider accepts, kept outside the log under a method id.
pub async fn method_for_order(
    ports: WalletPorts<'_>,
    customer_id: CustomerId,
    choice: &MethodChoice,
) -> Result<PaymentMethodId, WalletUseError> {
    let (wallet, _) = wallet(ports.commands, customer_id).await?;
    let saved = wallet.wallet();
    match choice {
        MethodChoice::Saved(method_id) => {
            saved.and_then(|w| w.method(*method_id)).map(|m| m.method_id).ok_or(WalletUseError::MethodNotFound)
        }
        MethodChoice::Token(token) => {
            if let Some(method) = saved.and_then(|w| w.method_with_fingerprint(token.fingerprint())) {
                return Ok(method.method_id);
            }
            ports.gateway.describe_method(token.expose()).await?;
            let method_id = PaymentMethodId::from_uuid(Uuid::now_v7());
            keep_token(ports.accounts, method_id, token).await?;
            Ok(method_id)
        }
    }
}

/// A customer's wallet as the event log has it, and the position of its last event.
async fn wallet(commands: &CommandHandler, customer_id: CustomerId) -> Result<(WalletState, u64), WalletUseError> {
    let (wallet, _, position) = commands.load::<Wallet>(&customer_id.to_string()).await?;
    Ok((wallet, position))
}

/// The method already saved with this token, if any.
fn existing(wallet: &WalletState, token: &MethodToken) -> Option<SavedMethod> {
    wallet.wallet().and_then(|w| w.method_with_fingerprint(token.fingerprint())).cloned()
}

/// Keeps `token` under `method_id`, outside the log.
async fn keep_token(
    accounts: &dyn AccountStore,
    method_id: PaymentMethodId,
    token: &MethodToken,
) -> Result<(), WalletUseError> {
    let holder = accounts.claim_unique(ClaimKind::PaymentToken, &method_id.to_string(), token.expose()).await?;
    if holder == token.expose() {
        Ok(())
    } else {
        // Method ids are fresh UUIDv7s: another token under one is a bug, never input.
        Err(WalletUseError::Inconsistent(format!("payment method {method_id} already holds another token")))
    }
}
