//! Taking an order's payment: the Payment aggregate records each stage, the gateway
//! does the work, and idempotency keys derived from the payment id make a repeated
//! call charge once.
//!
//! The payment's recorded status decides what is left to do, so a redelivered event
//! resumes where the last run stopped instead of calling the gateway again.

use chrono::Utc;
use emporium_domain::ids::PaymentId;
use emporium_domain::money::Money;
use emporium_domain::order::PlacedOrder;
use emporium_domain::payment::{Payment, PaymentAttempt, PaymentCommand, PaymentError, PaymentStatus};
use emporium_infra::payments::{AuthorizeRequest, GatewayError};

use super::error::SagaError;
use super::gateway::retrying;
use super::ids;
use super::saga::Saga;
use super::trigger::Trigger;

/// The most stages a payment goes through (request, authorise, capture, one spare).
const MAX_STAGES: usize = 4;

/// What taking the payment came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Paid {
    /// The money was captured.
    Captured {
        /// The payment.
        payment_id: PaymentId,
        /// How much.
        amount: Money,
    },
    /// The payment failed for good; the customer may try another method.
    Failed {
        /// Why, for the order's `RecordPaymentFailed`.
        reason: String,
    },
}

/// Takes the order's total with its payment method, as payment `attempt`.
#[tracing::instrument(skip_all, fields(order_id = %order.order_id, attempt, trigger = %trigger.event_id))]
pub(super) async fn take_payment(
    saga: &Saga,
    trigger: &Trigger,
    order: &PlacedOrder,
    attempt: u32,
) -> Result<Paid, SagaError> {
    let payment_id = ids::payment_id(order.order_id, attempt);
    if order.total.is_zero() {
        // Nothing to charge (a 100% coupon): recorded as paid without the gateway.
        return Ok(Paid::Captured { payment_id, amount: order.total });
    }
    let key = payment_id.to_string();
    for _ in 0..MAX_STAGES {
        let state = saga.load::<Payment>(&key).await?;
        let Some(payment) = state.payment() else {
            if let Some(reason) = request(saga, trigger, order, payment_id).await? {
                return Ok(Paid::Failed { reason });
            }
            continue;
        };
        match payment.status {
            PaymentStatus::Failed => {
                let reason = payment.failure_reason.clone().unwrap_or_else(|| "payment failed".to_owned());
                return Ok(Paid::Failed { reason });
            }
            PaymentStatus::Captured | PaymentStatus::PartiallyRefunded | PaymentStatus::Refunded => {
                return Ok(Paid::Captured { payment_id, amount: payment.captured });
            }
            PaymentStatus::Requested => {
                if let Some(reason) = authorize(saga, trigger, order, payment).await? {
                    return fail(saga, trigger, payment_id, reason).await;
                }
            }
            PaymentStatus::Authorized => {
                if let Some(reason) = capture(saga, trigger, payment).await? {
                    return fail(saga, trigger, payment_id, reason).await;
                }
            }
        }
    }
    Err(SagaError::Command {
        step: "payment".to_owned(),
        source: format!("payment {payment_id} did not settle after {MAX_STAGES} stages").into(),
    })
}

/// Starts the payment; `Some(reason)` when the method is refused before any charge.
async fn request(
    saga: &Saga,
    trigger: &Trigger,
    order: &PlacedOrder,
    payment_id: PaymentId,
) -> Result<Option<String>, SagaError> {
    let method_token = saga.method_token(&order.payment_method).await?;
    let command = PaymentCommand::Request {
        payment_id,
        order_id: order.order_id,
        customer_id: order.customer_id,
        amount: order.total,
        method_token,
        at: Utc::now(),
    };
    match saga.issue::<Payment>(trigger, "payment/request", &payment_id.to_string(), command).await? {
        // Requested by a concurrent run of the same step: carry on with it.
        Ok(_) | Err(PaymentError::AlreadyExists) => Ok(None),
        Err(refusal) => Ok(Some(format!("payment method refused: {refusal}"))),
    }
}

/// Authorises with the gateway and records it; `Some(reason)` when the provider says no.
async fn authorize(
    saga: &Saga,
    trigger: &Trigger,
    order: &PlacedOrder,
    payment: &PaymentAttempt,
) -> Result<Option<String>, SagaError> {
    let request = AuthorizeRequest {
        idempotency_key: ids::authorize_key(payment.payment_id),
        amount: payment.amount,
        method_token: saga.method_token(&order.payment_method).await?.expose().to_owned(),
        description: format!("order {}", order.order_id),
        payment_reference: payment.payment_id.to_string(),
    };
    let answer = retrying(&saga.settings, "authorize", || saga.gateway.authorize(&request)).await;
    let authorization = match answer {
        Ok(authorization) => authorization,
        // Still unreachable after every retry: the customer is told and may try again;
        // an authorisation that did go through expires uncaptured.
        Err(error) => return Ok(Some(error.to_string())),
    };
    let command = PaymentCommand::Authorize {
        payment_id: payment.payment_id,
        provider_reference: authorization.provider_reference,
        at: Utc::now(),
    };
    if let Err(refusal) =
        saga.issue::<Payment>(trigger, "payment/authorize", &payment.payment_id.to_string(), command).await?
    {
        tracing::warn!(payment_id = %payment.payment_id, %refusal, "recording the authorisation was refused");
    }
    Ok(None)
}

/// Captures the authorised amount and records it; `Some(reason)` when the provider refuses.
async fn capture(saga: &Saga, trigger: &Trigger, payment: &PaymentAttempt) -> Result<Option<String>, SagaError> {
    let reference = payment.provider_reference.clone().unwrap_or_default();
    let key = ids::capture_key(payment.payment_id);
    let answer =
        retrying(&saga.settings, "capture", || saga.gateway.capture(&key, &reference, &payment.authorized)).await;
    match answer {
        Ok(()) => {}
        // An authorised payment must be finished, not abandoned: retry the batch later.
        Err(source @ GatewayError::Unavailable(_)) => return Err(SagaError::Gateway { call: "capture", source }),
        Err(error) => {
            // Refused for good: let go of the hold rather than leave the customer's funds
            // blocked until it lapses. Best effort; the attempt is failed either way.
            let key = ids::void_key(payment.payment_id);
            if let Err(void) = retrying(&saga.settings, "void", || saga.gateway.void(&key, &reference)).await {
                tracing::warn!(payment_id = %payment.payment_id, %void, "could not release the authorisation");
            }
            return Ok(Some(error.to_string()));
        }
    }
    let command =
        PaymentCommand::Capture { payment_id: payment.payment_id, amount: payment.authorized, at: Utc::now() };
    if let Err(refusal) =
        saga.issue::<Payment>(trigger, "payment/capture", &payment.payment_id.to_string(), command).await?
    {
        tracing::warn!(payment_id = %payment.payment_id, %refusal, "recording the capture was refused");
    }
    Ok(None)
}

/// Records the payment as failed and reports why.
async fn fail(saga: &Saga, trigger: &Trigger, payment_id: PaymentId, reason: String) -> Result<Paid, SagaError> {
    let command = PaymentCommand::Fail { payment_id, reason: reason.clone(), at: Utc::now() };
    if let Err(refusal) = saga.issue::<Payment>(trigger, "payment/fail", &payment_id.to_string(), command).await? {
        tracing::warn!(%payment_id, %refusal, "recording the payment failure was refused");
    }
    Ok(Paid::Failed { reason })
}
