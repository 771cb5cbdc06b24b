//! What the webhook answers in `data`. Stripe only looks at the status (any 2xx is
//! delivered; anything else is retried), so the body is for people reading Stripe's
//! delivery log.

use emporium_domain::ids::PaymentId;
use emporium_domain::money::Money;
use emporium_infra::payments::webhook::StripeEvent;
use serde::Serialize;

use crate::payments::answers::PaymentMoney;

/// What became of a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WebhookOutcome {
    /// A refund made at Stripe was recorded on the payment and its order.
    RefundRecorded,
    /// Everything Stripe reports refunded was already recorded.
    AlreadyRecorded,
    /// Noted in the log; the checkout saga already acted on the provider's answer.
    Acknowledged,
    /// Not about anything the shop acts on (another event type, a charge Emporium
    /// did not make, a payment that cannot take it).
    Ignored,
    /// This event id was handled before; nothing was done again.
    Duplicate,
}

impl WebhookOutcome {
    /// The name, as answered.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::RefundRecorded => "refund_recorded",
            Self::AlreadyRecorded => "already_recorded",
            Self::Acknowledged => "acknowledged",
            Self::Ignored => "ignored",
            Self::Duplicate => "duplicate",
        }
    }
}

/// A delivery handled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct WebhookHandled {
    /// Stripe's event id (`evt_…`).
    pub event_id: String,
    /// Stripe's event type, e.g. `charge.refunded`.
    pub event_type: String,
    /// What became of it.
    pub outcome: WebhookOutcome,
    /// Why, for people.
    pub detail: String,
    /// The Emporium payment the event is about, when it names one.
    pub payment_id: Option<String>,
    /// The refund recorded, for `refund_recorded`.
    pub refund: Option<PaymentMoney>,
    /// Global position of the last event written, for `refund_recorded`.
    pub position: Option<u64>,
}

impl WebhookHandled {
    /// An answer about `event` (whose id was checked to be present).
    pub fn new(event: &StripeEvent, outcome: WebhookOutcome, detail: impl Into<String>) -> Self {
        Self {
            event_id: event.id.clone().unwrap_or_default(),
            event_type: event.event_type.clone(),
            outcome,
            detail: detail.into(),
            payment_id: None,
            refund: None,
            position: None,
        }
    }

    /// The same answer, naming the payment.
    pub fn about(self, payment_id: PaymentId) -> Self {
        Self { payment_id: Some(payment_id.to_string()), ..self }
    }

    /// The same answer, with the refund recorded and the position of its last event.
    pub fn with_refund(self, amount: &Money, position: u64) -> Self {
        Self { refund: Some(PaymentMoney::of(amount)), position: Some(position), ..self }
    }
}
