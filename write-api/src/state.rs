//! What every write handler can reach.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRef;
use emporium_api_kit::token::TokenKeys;
use emporium_commands::CommandHandler;
use emporium_commands::accounts::{AccountPorts, LinkSettings, Links};
use emporium_commands::wallet::WalletPorts;
use emporium_infra::accounts::AccountStore;
use emporium_infra::mailer::Mailer;
use emporium_infra::payments::PaymentGateway;

use crate::payments::webhooks::SigningSecret;
use crate::users::throttle::AddressAttempts;

/// Token lifetimes and where mailed links point.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// Access token lifetime (short).
    pub access_ttl: Duration,
    /// Refresh token lifetime.
    pub refresh_ttl: Duration,
    /// Where mailed links (address check, password reset) point and how long they work.
    pub links: LinkSettings,
}

impl AuthSettings {
    /// The defaults, with mailed links under `public_url`.
    pub fn with_public_url(public_url: impl Into<String>) -> Self {
        let defaults = Self::default();
        Self { links: LinkSettings { public_url: public_url.into(), ..defaults.links }, ..defaults }
    }
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            access_ttl: Duration::from_secs(15 * 60),
            refresh_ttl: Duration::from_secs(30 * 24 * 3600),
            links: LinkSettings { public_url: "http://127.0.0.1:8080".to_owned(), ttl: Duration::from_secs(24 * 3600) },
        }
    }
}

/// Shared by all write handlers.
#[derive(Clone)]
pub struct WriteState {
    /// Runs commands against the event store.
    pub commands: CommandHandler,
    /// Signs access tokens.
    pub keys: TokenKeys,
    /// Password hashes, tokens, uniqueness claims, idempotency records.
    pub accounts: Arc<dyn AccountStore>,
    /// Sends mail (verification, reset).
    pub mailer: Arc<dyn Mailer>,
    /// Token lifetimes and link base.
    pub auth: AuthSettings,
    /// The payment provider (saving methods, paying an order awaiting payment).
    pub gateway: Arc<dyn PaymentGateway>,
    /// The Stripe webhook endpoint's signing secret; `None` leaves webhooks off (404).
    pub stripe_webhook_secret: Option<SigningSecret>,
    /// Sign-in and recovery attempts per address.
    pub attempts: AddressAttempts,
}

impl WriteState {
    /// What the account use cases need, from this state.
    pub fn account_ports(&self) -> AccountPorts<'_> {
        let links =
            Links { accounts: self.accounts.as_ref(), mailer: self.mailer.as_ref(), settings: &self.auth.links };
        AccountPorts { commands: &self.commands, links }
    }

    /// What the saved-payment-method use cases need, from this state.
    pub fn wallet_ports(&self) -> WalletPorts<'_> {
        WalletPorts { commands: &self.commands, accounts: self.accounts.as_ref(), gateway: self.gateway.as_ref() }
    }
}

impl FromRef<WriteState> for TokenKeys {
    fn from_ref(state: &WriteState) -> Self {
        state.keys.clone()
    }
}
