//! What the webhook answers in `data`. Stripe only looks at the status (any 2xx is
//! delivered; anything else is retried), so the body is for people reading Stripe's
//! delivery log.

use emporium_commands::stripe_webhook::{Handled, Outcome};
use serde::Serialize;

use emporium_api_kit::MoneyView;

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

impl From<Outcome> for WebhookOutcome {
    fn from(outcome: Outcome) -> Self {
        match outcome {
            Outcome::RefundRecorded => Self::RefundRecorded,
            Outcome::AlreadyRecorded => Self::AlreadyRecorded,
            Outcome::Acknowledged => Self::Acknowledged,
            Outcome::Ignored => Self::Ignored,
            Outcome::Duplicate => Self::Duplicate,
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
    pub refund: Option<MoneyView>,
    /// Global position of the last event written, for `refund_recorded`.
    pub position: Option<u64>,
}

impl From<Handled> for WebhookHandled {
    fn from(handled: Handled) -> Self {
        Self {
            event_id: handled.event_id,
            event_type: handled.event_type,
            outcome: handled.outcome.into(),
            detail: handled.detail,
            payment_id: handled.payment_id.map(|id| id.to_string()),
            refund: handled.refund.as_ref().map(|(amount, _)| MoneyView::from(amount)),
            position: handled.refund.map(|(_, position)| position),
        }
    }
}
