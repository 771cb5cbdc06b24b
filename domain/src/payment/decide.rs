//! The payment attempt's rules: which commands are accepted and which facts they cause.

use chrono::{DateTime, Utc};

use super::command::PaymentCommand;
use super::error::PaymentError;
use super::event::{
    PaymentAuthorized, PaymentCaptured, PaymentEvent, PaymentFailed, PaymentRefunded, PaymentRequested,
};
use super::state::{PaymentAttempt, PaymentState};
use super::status::{PaymentAction, PaymentStatus};
use super::token::MethodToken;
use super::{MAX_REASON_LEN, MAX_REFERENCE_LEN};
use crate::ids::{CustomerId, OrderId, PaymentId};
use crate::money::{Money, MoneyError};
use crate::values::bounded_text;

/// Longest method token accepted.
const MAX_TOKEN_LEN: usize = 500;

/// Checks a command against the payment attempt and returns the events it causes.
pub(super) fn decide(state: &PaymentState, command: &PaymentCommand) -> Result<Vec<PaymentEvent>, PaymentError> {
    if let PaymentCommand::Request { payment_id, order_id, customer_id, amount, method_token, at } = command {
        if state.payment().is_some() {
            return Err(PaymentError::AlreadyExists);
        }
        return request(*payment_id, *order_id, *customer_id, *amount, method_token, *at);
    }
    let payment = state.payment().ok_or(PaymentError::NotFound)?;
    match command {
        // Handled above; kept so the match stays exhaustive.
        PaymentCommand::Request { .. } => Err(PaymentError::AlreadyExists),
        PaymentCommand::Authorize { provider_reference, at, .. } => authorize(payment, provider_reference, *at),
        PaymentCommand::Capture { amount, at, .. } => capture(payment, *amount, *at),
        PaymentCommand::Fail { reason, at, .. } => fail(payment, reason, *at),
        PaymentCommand::Refund { refund_id, amount, at, .. } => refund(payment, refund_id, *amount, *at),
    }
}

fn request(
    payment_id: PaymentId,
    order_id: OrderId,
    customer_id: CustomerId,
    amount: Money,
    method_token: &MethodToken,
    at: DateTime<Utc>,
) -> Result<Vec<PaymentEvent>, PaymentError> {
    if method_token.looks_like_card_number() {
        return Err(PaymentError::CardNumberRefused);
    }
    bounded_text("method_token", method_token.expose(), MAX_TOKEN_LEN)?;
    if amount.is_zero() {
        return Err(PaymentError::ZeroAmount);
    }
    Ok(vec![PaymentEvent::PaymentRequested(PaymentRequested {
        payment_id,
        order_id,
        customer_id,
        amount,
        method_fingerprint: method_token.fingerprint(),
        at,
    })])
}

/// Refuses everything once the attempt failed.
fn not_failed(payment: &PaymentAttempt) -> Result<(), PaymentError> {
    if payment.status == PaymentStatus::Failed { Err(PaymentError::AlreadyFailed) } else { Ok(()) }
}

fn authorize(payment: &PaymentAttempt, reference: &str, at: DateTime<Utc>) -> Result<Vec<PaymentEvent>, PaymentError> {
    not_failed(payment)?;
    let provider_reference = bounded_text("provider_reference", reference, MAX_REFERENCE_LEN)?;
    match payment.status {
        PaymentStatus::Requested => Ok(vec![PaymentEvent::PaymentAuthorized(PaymentAuthorized {
            payment_id: payment.payment_id,
            order_id: payment.order_id,
            provider_reference,
            amount: payment.amount,
            at,
        })]),
        // The gateway's answer delivered twice.
        PaymentStatus::Authorized if payment.provider_reference.as_deref() == Some(provider_reference.as_str()) => {
            Ok(Vec::new())
        }
        from => Err(PaymentError::InvalidTransition { from, action: PaymentAction::Authorize }),
    }
}

fn capture(payment: &PaymentAttempt, amount: Money, at: DateTime<Utc>) -> Result<Vec<PaymentEvent>, PaymentError> {
    not_failed(payment)?;
    if payment.status != PaymentStatus::Authorized {
        return Err(PaymentError::InvalidTransition { from: payment.status, action: PaymentAction::Capture });
    }
    if amount.is_zero() {
        return Err(PaymentError::ZeroAmount);
    }
    if amount.currency() != payment.authorized.currency() {
        return Err(MoneyError::CurrencyMismatch(payment.authorized.currency(), amount.currency()).into());
    }
    if amount.amount() > payment.authorized.amount() {
        return Err(PaymentError::CaptureExceedsAuthorized { requested: amount, authorized: payment.authorized });
    }
    Ok(vec![PaymentEvent::PaymentCaptured(PaymentCaptured {
        payment_id: payment.payment_id,
        order_id: payment.order_id,
        amount,
        at,
    })])
}

fn fail(payment: &PaymentAttempt, reason: &str, at: DateTime<Utc>) -> Result<Vec<PaymentEvent>, PaymentError> {
    not_failed(payment)?;
    if !matches!(payment.status, PaymentStatus::Requested | PaymentStatus::Authorized) {
        return Err(PaymentError::InvalidTransition { from: payment.status, action: PaymentAction::Fail });
    }
    let reason = bounded_text("reason", reason, MAX_REASON_LEN)?;
    Ok(vec![PaymentEvent::PaymentFailed(PaymentFailed {
        payment_id: payment.payment_id,
        order_id: payment.order_id,
        reason,
        at,
    })])
}

fn refund(
    payment: &PaymentAttempt,
    refund_id: &str,
    amount: Option<Money>,
    at: DateTime<Utc>,
) -> Result<Vec<PaymentEvent>, PaymentError> {
    let refund_id = bounded_text("refund_id", refund_id, MAX_REFERENCE_LEN)?;
    if payment.refund(&refund_id).is_some() {
        return Ok(Vec::new());
    }
    not_failed(payment)?;
    if matches!(payment.status, PaymentStatus::Requested | PaymentStatus::Authorized) {
        return Err(PaymentError::NotCaptured);
    }
    let refundable = payment.captured.checked_sub(&payment.refunded)?;
    let amount = match amount {
        None if refundable.is_zero() => return Err(PaymentError::NothingToRefund),
        None => refundable,
        Some(amount) if amount.is_zero() => return Err(PaymentError::ZeroAmount),
        Some(amount) if amount.currency() != refundable.currency() => {
            return Err(MoneyError::CurrencyMismatch(refundable.currency(), amount.currency()).into());
        }
        Some(amount) if amount.amount() > refundable.amount() => {
            return Err(PaymentError::RefundExceedsCaptured { requested: amount, refundable });
        }
        Some(amount) => amount,
    };
    Ok(vec![PaymentEvent::PaymentRefunded(PaymentRefunded {
        payment_id: payment.payment_id,
        order_id: payment.order_id,
        refund_id,
        amount,
        total_refunded: payment.refunded.checked_add(&amount)?,
        at,
    })])
}
