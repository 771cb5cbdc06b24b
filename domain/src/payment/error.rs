//! Why a payment attempt refused a command.

use super::status::{PaymentAction, PaymentStatus};
use crate::money::{Money, MoneyError};
use crate::values::ValueError;

/// A refused payment command; [`PaymentError::code`] gives its stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    /// The payment does not exist.
    #[error("payment not found")]
    NotFound,
    /// A payment with this id already exists.
    #[error("payment already exists")]
    AlreadyExists,
    /// A payment or capture of zero.
    #[error("the amount must be positive")]
    ZeroAmount,
    /// The method token looks like a card number, which must never be handled here.
    #[error("the payment method token looks like a card number")]
    CardNumberRefused,
    /// A token, reference, reason or refund id is blank or too long.
    #[error(transparent)]
    InvalidValue(#[from] ValueError),
    /// The payment failed; nothing more can happen to it.
    #[error("the payment failed")]
    AlreadyFailed,
    /// The action is not allowed in the payment's status.
    #[error("cannot {action} a payment that is {from}")]
    InvalidTransition {
        /// The payment's status.
        from: PaymentStatus,
        /// What was asked.
        action: PaymentAction,
    },
    /// A capture larger than the authorization.
    #[error("capture of {requested} exceeds the authorized {authorized}")]
    CaptureExceedsAuthorized {
        /// The capture asked for.
        requested: Money,
        /// What was authorized.
        authorized: Money,
    },
    /// Only captured money can be refunded.
    #[error("the payment was not captured")]
    NotCaptured,
    /// The refund is larger than what was captured and not yet refunded.
    #[error("refund of {requested} exceeds the refundable {refundable}")]
    RefundExceedsCaptured {
        /// The refund asked for.
        requested: Money,
        /// What may still be refunded.
        refundable: Money,
    },
    /// Everything captured was already refunded.
    #[error("nothing left to refund")]
    NothingToRefund,
    /// Money in another currency than the payment's, or an amount out of range.
    #[error(transparent)]
    Money(#[from] MoneyError),
}

impl PaymentError {
    /// The stable, documented code of this refusal.
    pub fn code(&self) -> &'static str {
        match self {
            PaymentError::NotFound => "payment.not_found",
            PaymentError::AlreadyExists => "payment.already_exists",
            PaymentError::ZeroAmount => "payment.zero_amount",
            PaymentError::CardNumberRefused => "payment.card_number_refused",
            PaymentError::InvalidValue(_) => "payment.invalid_value",
            PaymentError::AlreadyFailed => "payment.already_failed",
            PaymentError::InvalidTransition { .. } => "payment.invalid_transition",
            PaymentError::CaptureExceedsAuthorized { .. } => "payment.capture_exceeds_authorized",
            PaymentError::NotCaptured => "payment.not_captured",
            PaymentError::RefundExceedsCaptured { .. } => "payment.refund_exceeds_captured",
            PaymentError::NothingToRefund => "payment.nothing_to_refund",
            PaymentError::Money(MoneyError::CurrencyMismatch(..)) => "payment.currency_mismatch",
            PaymentError::Money(MoneyError::OutOfRange(_)) => "payment.amount_out_of_range",
            PaymentError::Money(MoneyError::InvalidCurrency(_)) => "payment.invalid_currency",
        }
    }
}
