//! `POST /api/v1/payments/refund` (Admin/Manager): the body checked against the
//! payment's currency, the use case run (`emporium_commands::refunds::refund_payment`:
//! the provider refunds, then the payment and its order record it), the payment
//! answered as it now stands.

use axum::extract::State;
use axum::response::Response;
use emporium_api_kit::envelope::ok;
use emporium_api_kit::position::with_position;
use emporium_api_kit::{ApiError, ApiJson, Envelope, RequestContext};
use emporium_commands::refunds::{self, RefundError};

use emporium_api_kit::MoneyView;

use super::answers::{PaymentAfterRefund, RefundGiven};
use super::input::{NewRefund, RefundRequest};
use super::refusals::refund_refused;
use crate::catalog::staff::Staff;
use crate::errors::{command_error, domain_error};
use crate::state::WriteState;

/// A refund that was not given, as an API error.
fn refund_error(error: RefundError) -> ApiError {
    match error {
        RefundError::Refused(refusal) => domain_error(&refusal),
        RefundError::Gateway(refused) => refund_refused(refused),
        RefundError::Command(command) => command_error(command),
    }
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
    let before = refunds::payment(&state.commands, request.payment_id).await.map_err(refund_error)?;
    let asked = request.amount.map(|a| a.in_currency(before.amount.currency())).transpose()?;
    let metadata = context.metadata(caller.actor());
    let given = refunds::refund_payment(&state.commands, state.gateway.as_ref(), &before, asked, &metadata)
        .await
        .map_err(refund_error)?;
    let position = given.position;
    let answer = RefundGiven {
        id: given.refund_id,
        provider_refund_id: given.provider_refund_id,
        amount: MoneyView::from(&given.amount),
    };
    Ok(with_position(ok(PaymentAfterRefund::new(&given.payment, answer, position)), position))
}
