//! Why an order refused a command.

use chrono::{DateTime, Utc};

use super::address::InvalidCountryCode;
use super::status::{OrderAction, OrderStatus};
use crate::money::{Money, MoneyError};
use crate::values::ValueError;

/// A refused order command; [`OrderError::code`] gives its stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    /// The order does not exist.
    #[error("order not found")]
    NotFound,
    /// An order with this id already exists.
    #[error("order already exists")]
    AlreadyExists,
    /// An order needs at least one line.
    #[error("an order needs at least one line")]
    NoLines,
    /// More lines than an order may hold.
    #[error("an order holds at most {max} lines, got {count}")]
    TooManyLines {
        /// Lines given.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// The coupon's discount takes nothing off, or more than 100 per cent.
    #[error("coupon {code} has an invalid discount")]
    InvalidDiscount {
        /// The code.
        code: String,
    },
    /// A text field (name, address, reason, carrier, ...) is blank or too long.
    #[error(transparent)]
    InvalidValue(#[from] ValueError),
    /// The shipping country is not an ISO 3166-1 alpha-2 code.
    #[error(transparent)]
    InvalidCountry(#[from] InvalidCountryCode),
    /// The payment method looks like a card number, which must never be stored.
    #[error("the payment method looks like a card number")]
    CardNumberRefused,
    /// The action is not allowed in the order's status.
    #[error("cannot {action} an order that is {from}")]
    InvalidTransition {
        /// The order's status.
        from: OrderStatus,
        /// What was asked.
        action: OrderAction,
    },
    /// The order was already paid by another payment.
    #[error("order already paid")]
    AlreadyPaid,
    /// A payment must cover exactly the order's total.
    #[error("payment of {received} does not match the order total {expected}")]
    PaymentAmountMismatch {
        /// The order's total.
        expected: Money,
        /// What the payment captured.
        received: Money,
    },
    /// Confirmation needs the items reserved first.
    #[error("items are not reserved yet")]
    ItemsNotReserved,
    /// Invoice numbers start at 1.
    #[error("invoice number must be positive")]
    InvalidInvoiceNumber,
    /// The time to change the payment method is over.
    #[error("the payment deadline {deadline} has passed")]
    PaymentDeadlinePassed {
        /// The deadline.
        deadline: DateTime<Utc>,
    },
    /// Nothing was paid, so nothing can be refunded.
    #[error("the order was not paid")]
    NotPaid,
    /// A refund of zero.
    #[error("a refund must be positive")]
    ZeroRefund,
    /// The refund is larger than what was paid and not yet refunded.
    #[error("refund of {requested} exceeds the refundable {refundable}")]
    RefundExceedsPaid {
        /// The refund asked for.
        requested: Money,
        /// What may still be refunded.
        refundable: Money,
    },
    /// Money in another currency than the order's, or an amount out of range.
    #[error(transparent)]
    Money(#[from] MoneyError),
}

impl OrderError {
    /// The stable, documented code of this refusal.
    pub fn code(&self) -> &'static str {
        match self {
            OrderError::NotFound => "order.not_found",
            OrderError::AlreadyExists => "order.already_exists",
            OrderError::NoLines => "order.no_lines",
            OrderError::TooManyLines { .. } => "order.too_many_lines",
            OrderError::InvalidDiscount { .. } => "order.invalid_discount",
            OrderError::InvalidValue(_) => "order.invalid_value",
            OrderError::InvalidCountry(_) => "order.invalid_country",
            OrderError::CardNumberRefused => "order.card_number_refused",
            OrderError::InvalidTransition { .. } => "order.invalid_transition",
            OrderError::AlreadyPaid => "order.already_paid",
            OrderError::PaymentAmountMismatch { .. } => "order.payment_amount_mismatch",
            OrderError::ItemsNotReserved => "order.items_not_reserved",
            OrderError::InvalidInvoiceNumber => "order.invalid_invoice_number",
            OrderError::PaymentDeadlinePassed { .. } => "order.payment_deadline_passed",
            OrderError::NotPaid => "order.not_paid",
            OrderError::ZeroRefund => "order.zero_refund",
            OrderError::RefundExceedsPaid { .. } => "order.refund_exceeds_paid",
            OrderError::Money(MoneyError::CurrencyMismatch(..)) => "order.currency_mismatch",
            OrderError::Money(MoneyError::OutOfRange(_)) => "order.amount_out_of_range",
            OrderError::Money(MoneyError::InvalidCurrency(_)) => "order.invalid_currency",
        }
    }
}
