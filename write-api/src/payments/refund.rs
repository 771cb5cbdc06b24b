//! Refunding a captured payment (Admin/Manager): the provider gives the money back
//! first, then the payment and its order record the refund ([`record_refund`]).
//!
//! The provider call and both commands share one key derived from the payment id
//! and a fresh refund id, so a retried step never refunds twice.

use axum::extract::State;
use axum::response::Response;
use chrono::Utc;
use emporium_api_kit::envelope::ok;
use emporium_api_kit::position::with_position;
use emporium_api_kit::{ApiError, ApiJson, Envelope, RequestContext};
use emporium_domain::ids::PaymentId;
use emporium_domain::money::Money;
use emporium_domain::payment::{Payment, PaymentAttempt, PaymentCommand, PaymentError, PaymentState};
use uuid::Uuid;

use super::answers::{PaymentAfterRefund, PaymentMoney, RefundGiven};
use super::input::{NewRefund, RefundRequest};
use super::record_refund::{ProviderRefund, record_refund};
use super::refusals::refund_refused;
use crate::catalog::precheck::precheck;
use crate::catalog::staff::Staff;
use crate::errors::{command_error, domain_error};
use crate::state::WriteState;

/// The payment as the event log has it, or 404.
async fn payment(state: &WriteState, payment_id: PaymentId) -> Result<PaymentAttempt, ApiError> {
    let (payment, _, _) = state.commands.load::<Payment>(&payment_id.to_string()).await.map_err(command_error)?;
    payment.payment().cloned().ok_or_else(|| domain_error(&PaymentError::NotFound))
}

/// Refunds part or all of a captured payment.
#[utoipa::path(
    post,
    path = "/api/v1/payments/refund",
    tag = "payments",
    request_body = RefundRequest,
    responses(
        (status = 200, description = "Refunded; the payment as it now stands", body = Envelope<PaymentAfterRefund>,
            headers(("X-Emporium-Position" = u64, description = "Position of the last event"))),
        (status = 400, description = "Invalid `payment_id` or `amount`", body = Envelope<String>),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
        (status = 403, description = "Not Admin or Manager", body = Envelope<String>),
        (status = 404, description = "No such payment", body = Envelope<String>),
        (status = 409, description = "`payment.refund_exceeds_captured`, `payment.nothing_to_refund`, `payment.not_captured`, `payment.refund_rejected`", body = Envelope<String>),
        (status = 503, description = "The payment provider is unavailable; nothing was refunded", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(actor = %caller.actor()))]
pub async fn refund_payment(
    State(state): State<WriteState>,
    Staff(caller): Staff,
    context: RequestContext,
    ApiJson(body): ApiJson<RefundRequest>,
) -> Result<Response, ApiError> {
    let request = NewRefund::try_from(body)?;
    let payment_id = request.payment_id;
    let before = payment(&state, payment_id).await?;
    let asked = request.amount.map(|a| a.in_currency(before.amount.currency())).transpose()?;
    let refund_id = Uuid::now_v7().to_string();
    let at = Utc::now();
    let refund =
        |amount: Option<Money>| PaymentCommand::Refund { payment_id, refund_id: refund_id.clone(), amount, at };
    precheck::<Payment>(&PaymentState::Present(before.clone()), &refund(asked))?;
    let amount = match asked {
        Some(amount) => amount,
        None => before.captured.checked_sub(&before.refunded).map_err(|e| domain_error(&PaymentError::from(e)))?,
    };
    let reference = before.provider_reference.clone().ok_or_else(|| domain_error(&PaymentError::NotCaptured))?;
    let key = format!("refund:{payment_id}:{refund_id}");
    let receipt = state.gateway.refund(&key, &reference, &amount).await.map_err(refund_refused)?;
    let made = ProviderRefund { refund_id: refund_id.clone(), amount, at, key };
    let position = record_refund(&state, &context, &caller.actor(), &before, &made).await?;
    let after = payment(&state, payment_id).await?;
    let given = RefundGiven { id: refund_id, provider_refund_id: receipt.refund_id, amount: PaymentMoney::of(&amount) };
    Ok(with_position(ok(PaymentAfterRefund::new(&after, given, position)), position))
}
