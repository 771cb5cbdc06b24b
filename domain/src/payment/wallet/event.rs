//! The facts a wallet records; no token or card number among them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::event::DomainEvent;
use crate::ids::{CustomerId, PaymentMethodId};
use crate::payment::TokenFingerprint;

/// Everything that can happen to a wallet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "event_type", content = "data")]
pub enum WalletEvent {
    /// A payment method was saved.
    PaymentMethodSaved(PaymentMethodSaved),
    /// A payment method was removed.
    PaymentMethodRemoved(PaymentMethodRemoved),
}

impl DomainEvent for WalletEvent {
    fn event_type(&self) -> &'static str {
        match self {
            WalletEvent::PaymentMethodSaved(_) => "PaymentMethodSaved",
            WalletEvent::PaymentMethodRemoved(_) => "PaymentMethodRemoved",
        }
    }
}

/// A payment method was saved to a customer's wallet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PaymentMethodSaved {
    /// The wallet's owner.
    pub customer_id: CustomerId,
    /// The method.
    pub method_id: PaymentMethodId,
    /// The provider.
    pub provider: String,
    /// The card brand or account kind.
    pub brand: String,
    /// The last four digits.
    pub last4: String,
    /// The fingerprint of the provider's token (never the token).
    pub token_fingerprint: TokenFingerprint,
    /// When.
    pub at: DateTime<Utc>,
}

/// A payment method was removed from a customer's wallet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PaymentMethodRemoved {
    /// The wallet's owner.
    pub customer_id: CustomerId,
    /// The method.
    pub method_id: PaymentMethodId,
    /// When.
    pub at: DateTime<Utc>,
}
