//! `charge.refunded`: Stripe refunded (part of) a charge, through Emporium's refund
//! endpoint or outside it (the Dashboard, Stripe's API). Stripe sends it for every
//! refund, partial ones included.
//!
//! The payment is found by the charge's `metadata.emporium_payment_id` (copied by
//! Stripe from the PaymentIntent Emporium created) and must agree with the charge's
//! `payment_intent`, which Emporium recorded as the payment's provider reference.
//! The charge carries `amount_refunded`, the running total of all its refunds; what
//! Emporium has not recorded of it yet is recorded as one refund whose id and
//! command ids derive from the event id. Reconciling by difference makes each event
//! self-contained: a refund Emporium made itself leaves no difference, events may
//! arrive in any order, and a redelivery finds nothing left to record.
//!
//! A payment Emporium has not seen captured yet (the saga is between Stripe's answer
//! and its record) answers 409 so that Stripe retries later; anything else that
//! cannot apply (a charge of another shop, another intent, another currency) is
//! acknowledged and logged, since retrying would not change it.

use chrono::Utc;
use emporium_domain::ids::PaymentId;
use emporium_domain::payment::{Payment, PaymentAttempt, PaymentStatus};
use emporium_infra::event_store::EventMetadata;
use emporium_infra::payments::stripe_charge::{StripeCharge, parse_stripe_charge};
use emporium_infra::payments::webhook::StripeEvent;

use super::{Handled, Outcome, WebhookRefusal};
use crate::CommandHandler;
use crate::refunds::{ProviderRefund, record_refund};

/// Records what a refunded charge reports that Emporium has not recorded yet (the
/// endpoint's span names the event).
pub(super) async fn charge_refunded(
    commands: &CommandHandler,
    metadata: &EventMetadata,
    event: &StripeEvent,
    event_id: &str,
    payload: &[u8],
) -> Result<Handled, WebhookRefusal> {
    let charge = parse_stripe_charge(payload)?;
    let ignore = |detail: String| {
        tracing::warn!(charge = %charge.id, %detail, "a refunded charge was not recorded");
        Handled::new(event, Outcome::Ignored, detail)
    };
    let Some(reference) = charge.payment_reference.as_deref() else {
        // Another integration's charge on the same Stripe account: not worth a warning.
        tracing::info!(charge = %charge.id, "a refunded charge names no Emporium payment");
        let detail = format!("charge {} names no Emporium payment", charge.id);
        return Ok(Handled::new(event, Outcome::Ignored, detail));
    };
    let Ok(payment_id) = reference.parse::<PaymentId>() else {
        return Ok(ignore(format!("charge {} names no valid Emporium payment id", charge.id)));
    };
    let (state_of_payment, _, _) = commands.load::<Payment>(&payment_id.to_string()).await?;
    let Some(payment) = state_of_payment.payment() else {
        return Ok(ignore(format!("no payment {payment_id}")).about(payment_id));
    };
    if let Some(refusal) = cannot_record(payment, &charge)? {
        return Ok(ignore(refusal).about(payment_id));
    }
    let unrecorded = charge.amount_refunded.saturating_sub(&payment.refunded)?;
    if unrecorded.is_zero() {
        let detail = format!("the {} refunded is already recorded", charge.amount_refunded);
        return Ok(Handled::new(event, Outcome::AlreadyRecorded, detail).about(payment_id));
    }
    let refundable = payment.captured.saturating_sub(&payment.refunded)?;
    let amount = unrecorded.min(&refundable)?;
    if amount.is_zero() {
        return Ok(ignore(format!("payment {payment_id} has nothing left to refund")).about(payment_id));
    }
    if amount != unrecorded {
        tracing::warn!(%payment_id, %unrecorded, %refundable, "stripe reports more refunded than the payment captured");
    }
    let refund = ProviderRefund {
        refund_id: format!("stripe:{event_id}"),
        amount,
        at: Utc::now(),
        key: format!("stripe-event:{event_id}"),
    };
    let position = record_refund(commands, metadata, payment, &refund).await?;
    tracing::info!(%payment_id, %amount, charge = %charge.id, "recorded a refund made at stripe");
    let detail = format!("recorded a refund of {amount} made at Stripe");
    Ok(Handled {
        refund: Some((amount, position)),
        ..Handled::new(event, Outcome::RefundRecorded, detail).about(payment_id)
    })
}

/// Why the charge cannot be recorded on `payment` (`Some`), or a refusal when it
/// may be able to later.
fn cannot_record(payment: &PaymentAttempt, charge: &StripeCharge) -> Result<Option<String>, WebhookRefusal> {
    match payment.status {
        PaymentStatus::Requested | PaymentStatus::Authorized => {
            return Err(WebhookRefusal::PaymentNotCaptured(payment.payment_id));
        }
        PaymentStatus::Failed => return Ok(Some(format!("payment {} failed", payment.payment_id))),
        PaymentStatus::Captured | PaymentStatus::PartiallyRefunded | PaymentStatus::Refunded => {}
    }
    if charge.payment_intent.is_none() || charge.payment_intent != payment.provider_reference {
        return Ok(Some(format!(
            "charge {} is for payment intent {}, payment {} for {}",
            charge.id,
            charge.payment_intent.as_deref().unwrap_or("none"),
            payment.payment_id,
            payment.provider_reference.as_deref().unwrap_or("none"),
        )));
    }
    if charge.amount_refunded.currency() != payment.captured.currency() {
        return Ok(Some(format!(
            "charge {} is in {}, payment {} in {}",
            charge.id,
            charge.amount_refunded.currency(),
            payment.payment_id,
            payment.captured.currency()
        )));
    }
    Ok(None)
}
