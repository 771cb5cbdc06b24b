//! What the payment write endpoints answer in `data`: what was written and the
//! global position of the last event (send it as `X-Emporium-Min-Position`).

use emporium_api_kit::MoneyView;
use emporium_domain::payment::PaymentAttempt;
use serde::Serialize;

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
    pub amount: MoneyView,
    /// The amount captured.
    pub captured_amount: MoneyView,
    /// All refunds so far.
    pub refunded_amount: MoneyView,
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
    pub amount: MoneyView,
}

impl PaymentAfterRefund {
    /// The answer for `payment` after `refund`.
    pub fn new(payment: &PaymentAttempt, refund: RefundGiven, position: u64) -> Self {
        Self {
            id: payment.payment_id.to_string(),
            order_id: payment.order_id.to_string(),
            customer_id: payment.customer_id.to_string(),
            status: payment.status.as_str().to_owned(),
            amount: MoneyView::from(&payment.amount),
            captured_amount: MoneyView::from(&payment.captured),
            refunded_amount: MoneyView::from(&payment.refunded),
            refund,
            position,
        }
    }
}
