//! Reconciling with Stripe's webhooks: a delivery checked (the `Stripe-Signature`
//! HMAC over the exact bytes, with the endpoint's signing secret, timestamp within
//! Stripe's default 300 s), an event handled before skipped, the event handled by
//! type, the event id remembered.
//!
//! Per event type: `charge.refunded` records on the Emporium payment (and its order)
//! whatever Stripe refunded that Emporium has not recorded yet, e.g. a refund made
//! in Stripe's Dashboard ([`refunds`]); `payment_intent.*` is logged and acknowledged
//! (the checkout saga records outcomes from the gateway's own answers; [`intents`]);
//! every other type is acknowledged and ignored, since Stripe retries anything but a
//! success. An event id is handled once ([`deliveries`]).
//!
//! Stripe's types stay here and in `infra`: the HTTP endpoint hands over the raw
//! body and header and answers the [`Handled`] or [`WebhookRefusal`] it gets back.

mod deliveries;
mod intents;
mod refunds;

use emporium_domain::ids::PaymentId;
use emporium_domain::money::{Money, MoneyError};
use emporium_domain::payment::PaymentError;
use emporium_infra::accounts::{AccountStore, AccountStoreError};
use emporium_infra::event_store::EventMetadata;
use emporium_infra::payments::webhook::{
    DEFAULT_TOLERANCE, StripeEvent, StripeEventKind, WebhookError, parse_stripe_event, verify_stripe_signature_now,
};

use crate::{CommandError, CommandHandler};

/// The header Stripe signs deliveries in.
pub use emporium_infra::payments::webhook::SIGNATURE_HEADER;

/// The actor the webhook's commands are recorded under.
const ACTOR: &str = "webhook:stripe";

/// One delivery as it arrived.
#[derive(Debug, Clone, Copy)]
pub struct Delivery<'a> {
    /// The exact bytes posted.
    pub body: &'a [u8],
    /// The `Stripe-Signature` header, when present and text.
    pub signature: Option<&'a str>,
    /// The endpoint's signing secret (never blank).
    pub secret: &'a str,
}

/// What the reconciliation needs: the command handler and the account store (where
/// handled event ids are claimed).
#[derive(Clone, Copy)]
pub struct WebhookPorts<'a> {
    /// Runs the refund's commands and loads payments.
    pub commands: &'a CommandHandler,
    /// Remembers handled event ids.
    pub accounts: &'a dyn AccountStore,
}

/// What became of a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
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

impl Outcome {
    /// The name, as remembered and answered.
    pub fn as_str(self) -> &'static str {
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handled {
    /// Stripe's event id (`evt_…`).
    pub event_id: String,
    /// Stripe's event type, e.g. `charge.refunded`.
    pub event_type: String,
    /// What became of it.
    pub outcome: Outcome,
    /// Why, for people reading Stripe's delivery log.
    pub detail: String,
    /// The Emporium payment the event is about, when it names one.
    pub payment_id: Option<PaymentId>,
    /// The refund recorded and the global position of its last event, for
    /// [`Outcome::RefundRecorded`].
    pub refund: Option<(Money, u64)>,
}

impl Handled {
    fn new(event: &StripeEvent, outcome: Outcome, detail: impl Into<String>) -> Self {
        Self {
            event_id: event.id.clone().unwrap_or_default(),
            event_type: event.event_type.clone(),
            outcome,
            detail: detail.into(),
            payment_id: None,
            refund: None,
        }
    }

    fn about(self, payment_id: PaymentId) -> Self {
        Self { payment_id: Some(payment_id), ..self }
    }
}

/// Why a delivery was refused (Stripe retries every refusal).
#[derive(Debug, thiserror::Error)]
pub enum WebhookRefusal {
    /// No `Stripe-Signature` header.
    #[error("the Stripe-Signature header is missing")]
    SignatureMissing,
    /// The header has no timestamp or no `v1` signature (the text says which).
    #[error("{0}")]
    SignatureMalformed(String),
    /// The signed timestamp is too far from now (a replay, or a clock off).
    #[error("the signature timestamp is outside the tolerance")]
    SignatureExpired,
    /// No signature matches the body and the secret (usually a wrong secret).
    #[error("no signature matches the payload")]
    SignatureMismatch,
    /// The body is not a Stripe event the shop understands (the text says why).
    #[error("malformed event: {0}")]
    MalformedEvent(String),
    /// The payment is not recorded as captured yet; a later delivery may apply.
    #[error("payment {0} is not recorded as captured yet; retry later")]
    PaymentNotCaptured(PaymentId),
    /// Recording the refund failed.
    #[error(transparent)]
    Command(#[from] CommandError<PaymentError>),
    /// The account store (handled event ids) failed.
    #[error(transparent)]
    Accounts(#[from] AccountStoreError),
    /// Amounts that cannot be compared or subtracted.
    #[error(transparent)]
    Money(#[from] MoneyError),
}

impl From<WebhookError> for WebhookRefusal {
    fn from(error: WebhookError) -> Self {
        match error {
            WebhookError::MissingTimestamp | WebhookError::NoSignatures => Self::SignatureMalformed(error.to_string()),
            WebhookError::TimestampOutsideTolerance => Self::SignatureExpired,
            WebhookError::NoMatchingSignature => Self::SignatureMismatch,
            WebhookError::MalformedEvent(why) => Self::MalformedEvent(why),
        }
    }
}

/// Checks and handles one delivery; `metadata` is the request's (correlation and
/// trace), the actor is `webhook:stripe`.
pub async fn receive(
    ports: WebhookPorts<'_>,
    delivery: Delivery<'_>,
    metadata: EventMetadata,
) -> Result<Handled, WebhookRefusal> {
    let signature = delivery.signature.ok_or(WebhookRefusal::SignatureMissing)?;
    verify_stripe_signature_now(delivery.body, signature, delivery.secret, DEFAULT_TOLERANCE)?;
    let event = parse_stripe_event(delivery.body)?;
    let event_id = event
        .id
        .clone()
        .filter(|id| deliveries::is_event_id(id))
        .ok_or_else(|| WebhookRefusal::MalformedEvent("no valid event id".to_owned()))?;
    let span = tracing::Span::current();
    span.record("event_id", event_id.as_str());
    span.record("event_type", event.event_type.as_str());

    if let Some(first) = deliveries::handled_before(ports.accounts, &event_id).await? {
        let detail = format!("event {event_id} was handled before ({first})");
        return Ok(Handled::new(&event, Outcome::Duplicate, detail));
    }
    let metadata = EventMetadata { actor: Some(ACTOR.to_owned()), ..metadata };
    let handled = match &event.kind {
        StripeEventKind::ChargeRefunded => {
            refunds::charge_refunded(ports.commands, &metadata, &event, &event_id, delivery.body).await?
        }
        StripeEventKind::PaymentIntentSucceeded
        | StripeEventKind::PaymentIntentPaymentFailed
        | StripeEventKind::PaymentIntentCanceled
        | StripeEventKind::PaymentIntentAmountCapturableUpdated => intents::acknowledge(&event),
        // Acknowledged, not refused: Stripe would retry anything else for days.
        StripeEventKind::Other(kind) => {
            tracing::debug!(%kind, "ignoring a stripe event type the shop does not act on");
            Handled::new(&event, Outcome::Ignored, format!("the shop does not act on {kind}"))
        }
    };
    deliveries::remember(ports.accounts, &event_id, handled.outcome.as_str()).await?;
    Ok(handled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_failed_check_keeps_what_it_was_and_its_text() {
        let cases = [
            (WebhookError::MissingTimestamp, "the signature header has no valid timestamp"),
            (WebhookError::NoSignatures, "the signature header has no v1 signature"),
            (WebhookError::TimestampOutsideTolerance, "the signature timestamp is outside the tolerance"),
            (WebhookError::NoMatchingSignature, "no signature matches the payload"),
            (WebhookError::MalformedEvent("x".to_owned()), "malformed event: x"),
        ];
        for (error, text) in cases {
            assert_eq!(error.to_string(), text, "the infra text");
            assert_eq!(WebhookRefusal::from(error).to_string(), text);
        }
        assert!(matches!(WebhookRefusal::from(WebhookError::NoSignatures), WebhookRefusal::SignatureMalformed(_)));
        assert!(matches!(
            WebhookRefusal::from(WebhookError::TimestampOutsideTolerance),
            WebhookRefusal::SignatureExpired
        ));
        assert!(matches!(WebhookRefusal::from(WebhookError::NoMatchingSignature), WebhookRefusal::SignatureMismatch));
    }
}
