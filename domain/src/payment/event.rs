//! The facts a payment attempt records; no card number or token among them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::token::TokenFingerprint;
use crate::event::DomainEvent;
use crate::ids::{CustomerId, OrderId, PaymentId};
use crate::money::Money;

/// Everything that can happen to a payment attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "event_type", content = "data")]
pub enum PaymentEvent {
    /// The attempt started (status `requested`).
    PaymentRequested(PaymentRequested),
    /// The gateway holds the amount (status `authorized`).
    PaymentAuthorized(PaymentAuthorized),
    /// Money was taken (status `captured`).
    PaymentCaptured(PaymentCaptured),
    /// The attempt failed (status `failed`).
    PaymentFailed(PaymentFailed),
    /// Money was given back (status `partially_refunded` or `refunded`).
    PaymentRefunded(PaymentRefunded),
}

impl DomainEvent for PaymentEvent {
    fn event_type(&self) -> &'static str {
        match self {
            PaymentEvent::PaymentRequested(_) => "PaymentRequested",
            PaymentEvent::PaymentAuthorized(_) => "PaymentAuthorized",
            PaymentEvent::PaymentCaptured(_) => "PaymentCaptured",
            PaymentEvent::PaymentFailed(_) => "PaymentFailed",
            PaymentEvent::PaymentRefunded(_) => "PaymentRefunded",
        }
    }
}

/// A payment attempt started.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PaymentRequested {
    /// The attempt.
    pub payment_id: PaymentId,
    /// The order paid.
    pub order_id: OrderId,
    /// Who pays.
    pub customer_id: CustomerId,
    /// How much.
    pub amount: Money,
    /// The fingerprint of the method's token (never the token).
    pub method_fingerprint: TokenFingerprint,
    /// When.
    pub at: DateTime<Utc>,
}

/// The gateway authorized a payment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PaymentAuthorized {
    /// The attempt.
    pub payment_id: PaymentId,
    /// The order paid.
    pub order_id: OrderId,
    /// The gateway's id for the charge.
    pub provider_reference: String,
    /// The amount held.
    pub amount: Money,
    /// When.
    pub at: DateTime<Utc>,
}

/// Money was taken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PaymentCaptured {
    /// The attempt.
    pub payment_id: PaymentId,
    /// The order paid.
    pub order_id: OrderId,
    /// How much was taken.
    pub amount: Money,
    /// When.
    pub at: DateTime<Utc>,
}

/// A payment attempt failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PaymentFailed {
    /// The attempt.
    pub payment_id: PaymentId,
    /// The order it was for.
    pub order_id: OrderId,
    /// Why.
    pub reason: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// Captured money was given back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PaymentRefunded {
    /// The attempt.
    pub payment_id: PaymentId,
    /// The order it was for.
    pub order_id: OrderId,
    /// The caller's id of this refund.
    pub refund_id: String,
    /// This refund.
    pub amount: Money,
    /// All refunds so far, this one included.
    pub total_refunded: Money,
    /// When.
    pub at: DateTime<Utc>,
}
