//! `payment_intent.*` events: noted and acknowledged, nothing recorded.
//!
//! The checkout saga authorises and captures synchronously and records the gateway's
//! answer itself (with idempotency keys, resuming after a crash from the payment's
//! recorded status), so Stripe's report of the same outcome adds nothing the log
//! lacks; recording it here as well would race the saga. The log line lets an
//! operator match Stripe's view with Emporium's.

use emporium_infra::payments::webhook::StripeEvent;

use super::{Handled, Outcome};

/// Logs a PaymentIntent's change and acknowledges it.
pub(super) fn acknowledge(event: &StripeEvent) -> Handled {
    tracing::info!(
        event_type = %event.event_type,
        payment_intent = %event.object_id,
        status = event.object_status.as_deref().unwrap_or("unknown"),
        payment_id = event.payment_reference.as_deref().unwrap_or("none"),
        "stripe reports a payment intent change"
    );
    let answer = Handled::new(
        event,
        Outcome::Acknowledged,
        "noted; the checkout saga records payment outcomes from the provider's own answers",
    );
    match event.payment_reference.as_deref().and_then(|reference| reference.parse().ok()) {
        Some(payment_id) => answer.about(payment_id),
        None => answer,
    }
}
