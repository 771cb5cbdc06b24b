//! Folds payment events into the state; never fails.

use super::event::PaymentEvent;
use super::state::{AppliedRefund, PaymentAttempt, PaymentState};
use super::status::PaymentStatus;
use crate::money::Money;

/// Applies one event to a payment attempt.
pub(super) fn evolve(state: PaymentState, event: &PaymentEvent) -> PaymentState {
    match (state, event) {
        (PaymentState::Absent, PaymentEvent::PaymentRequested(requested)) => {
            let zero = Money::zero(requested.amount.currency());
            PaymentState::Present(PaymentAttempt {
                payment_id: requested.payment_id,
                order_id: requested.order_id,
                customer_id: requested.customer_id,
                amount: requested.amount,
                method_fingerprint: requested.method_fingerprint,
                status: PaymentStatus::Requested,
                provider_reference: None,
                authorized: zero,
                captured: zero,
                refunded: zero,
                refunds: Vec::new(),
                failure_reason: None,
                requested_at: requested.at,
                updated_at: requested.at,
            })
        }
        // Only PaymentRequested can start an attempt; anything else before it changes nothing.
        (PaymentState::Absent, _) => PaymentState::Absent,
        (PaymentState::Present(payment), event) => PaymentState::Present(apply(payment, event)),
    }
}

fn apply(mut payment: PaymentAttempt, event: &PaymentEvent) -> PaymentAttempt {
    match event {
        // A second PaymentRequested cannot be decided; replaying one changes nothing.
        PaymentEvent::PaymentRequested(_) => {}
        PaymentEvent::PaymentAuthorized(authorized) => {
            payment.status = PaymentStatus::Authorized;
            payment.provider_reference = Some(authorized.provider_reference.clone());
            payment.authorized = authorized.amount;
            payment.updated_at = authorized.at;
        }
        PaymentEvent::PaymentCaptured(captured) => {
            payment.status = PaymentStatus::Captured;
            payment.captured = captured.amount;
            payment.updated_at = captured.at;
        }
        PaymentEvent::PaymentFailed(failed) => {
            payment.status = PaymentStatus::Failed;
            payment.failure_reason = Some(failed.reason.clone());
            payment.updated_at = failed.at;
        }
        PaymentEvent::PaymentRefunded(refunded) => {
            payment.refunded = refunded.total_refunded;
            payment.refunds.push(AppliedRefund {
                refund_id: refunded.refund_id.clone(),
                amount: refunded.amount,
                at: refunded.at,
            });
            payment.status = if refunded.total_refunded == payment.captured {
                PaymentStatus::Refunded
            } else {
                PaymentStatus::PartiallyRefunded
            };
            payment.updated_at = refunded.at;
        }
    }
    payment
}
