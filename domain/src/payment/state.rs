//! What a payment attempt remembers between commands.

use chrono::{DateTime, Utc};

use super::status::PaymentStatus;
use super::token::TokenFingerprint;
use crate::ids::{CustomerId, OrderId, PaymentId};
use crate::money::Money;

/// A payment attempt, or the absence of one.
// One state per loaded stream, never a collection of them: the size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, Default, PartialEq)]
pub enum PaymentState {
    /// Not requested yet.
    #[default]
    Absent,
    /// Requested; see its status.
    Present(PaymentAttempt),
}

impl PaymentState {
    /// The attempt, if it exists.
    pub fn payment(&self) -> Option<&PaymentAttempt> {
        match self {
            PaymentState::Absent => None,
            PaymentState::Present(payment) => Some(payment),
        }
    }
}

/// An existing payment attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentAttempt {
    /// The attempt.
    pub payment_id: PaymentId,
    /// The order paid.
    pub order_id: OrderId,
    /// Who pays.
    pub customer_id: CustomerId,
    /// The amount requested.
    pub amount: Money,
    /// The fingerprint of the method's token.
    pub method_fingerprint: TokenFingerprint,
    /// The current status.
    pub status: PaymentStatus,
    /// The gateway's id for the charge, once authorized.
    pub provider_reference: Option<String>,
    /// The amount held (zero until authorized).
    pub authorized: Money,
    /// The amount taken (zero until captured).
    pub captured: Money,
    /// All refunds so far.
    pub refunded: Money,
    /// Each refund applied, oldest first.
    pub refunds: Vec<AppliedRefund>,
    /// Why the attempt failed.
    pub failure_reason: Option<String>,
    /// When it was requested.
    pub requested_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl PaymentAttempt {
    /// The refund with this id, if it was applied.
    pub fn refund(&self, refund_id: &str) -> Option<&AppliedRefund> {
        self.refunds.iter().find(|refund| refund.refund_id == refund_id)
    }
}

/// One refund applied to a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedRefund {
    /// The caller's id of the refund.
    pub refund_id: String,
    /// How much.
    pub amount: Money,
    /// When.
    pub at: DateTime<Utc>,
}
