//! What the payment write endpoints answer in `data`: what was written and the
//! global position of the last event (send it as `X-Emporium-Min-Position`).

use emporium_domain::money::Money;
use emporium_domain::payment::PaymentAttempt;
use serde::Serialize;

/// Money as answers show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PaymentMoney {
    /// Minor units (cents).
    pub amount: i64,
    /// ISO 4217 code.
    #[schema(example = "EUR")]
    pub currency: String,
}

impl PaymentMoney {
    /// The view of an amount.
    pub fn of(money: &Money) -> Self {
        Self { amount: money.amount(), currency: money.currency().as_str().to_owned() }
    }
}

/// A saved payment method.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MethodSaved {
    /// The method's id: use it as an order's `payment_method`.
    pub id: String,
    /// Card brand, e.g. `visa`.
    pub brand: String,
    /// Last four digits.
    pub last4: String,
    /// The provider holding the token (`simulated`, `stripe`).
    pub provider: String,
    /// Global position of the wallet's last event.
    pub position: u64,
}

/// A payment accepted for an order awaiting payment; the checkout saga takes it on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PaymentAccepted {
    /// The order.
    pub order_id: String,
    /// The order's status now: `pending` again, until stock and payment go through.
    pub status: String,
    /// The method recorded on the order: a saved method's id, or the id the given
    /// token is kept under (the token itself never enters the event log).
    pub payment_method: String,
    /// Global position of the order's event.
    pub position: u64,
}

/// A refund given, with the payment as it now stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PaymentAfterRefund {
    /// The payment.
    pub id: String,
    /// The order it paid.
    pub order_id: String,
    /// Who paid.
    pub customer_id: String,
    /// `partially_refunded` or `refunded`.
    pub status: String,
    /// The amount paid.
    pub amount: PaymentMoney,
    /// The amount captured.
    pub captured_amount: PaymentMoney,
    /// All refunds so far.
    pub refunded_amount: PaymentMoney,
    /// This refund.
    pub refund: RefundGiven,
    /// Global position of the last event written.
    pub position: u64,
}

/// One refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RefundGiven {
    /// Our id of the refund.
    pub id: String,
    /// The provider's id of the refund.
    pub provider_refund_id: String,
    /// How much.
    pub amount: PaymentMoney,
}

impl PaymentAfterRefund {
    /// The answer for `payment` after `refund`.
    pub fn new(payment: &PaymentAttempt, refund: RefundGiven, position: u64) -> Self {
        Self {
            id: payment.payment_id.to_string(),
            order_id: payment.order_id.to_string(),
            customer_id: payment.customer_id.to_string(),
            status: payment.status.as_str().to_owned(),
            amount: PaymentMoney::of(&payment.amount),
            captured_amount: PaymentMoney::of(&payment.captured),
            refunded_amount: PaymentMoney::of(&payment.refunded),
            refund,
            position,
        }
    }
}
