//! `POST /api/v1/orders/{orderId}/cancel`: the owner or staff call an order off.
//! The order's transition table refuses shipped, delivered and cancelled orders
//! (409); releasing stock and refunding a paid order follow from `OrderCancelled`
//! in the fulfilment saga.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::Utc;
use emporium_api_kit::envelope::ok;
use emporium_api_kit::position::with_position;
use emporium_api_kit::{ApiError, ApiJson, Caller, Envelope, RequestContext};
use emporium_domain::order::{Order, OrderCommand, OrderStatus};
use serde::Deserialize;

use super::answers::OrderStatusChanged;
use super::status::{order_id, order_not_found};
use crate::command::run;
use crate::errors::command_error;
use crate::lookups::load;
use crate::state::WriteState;

/// `POST /api/v1/orders/{orderId}/cancel`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelRequest {
    /// Why, up to 500 characters; a default reason is recorded when absent.
    #[serde(default)]
    #[schema(schema_with = emporium_api_kit::schema_rules::optional_text_or_blank::<500>)]
    pub reason: Option<String>,
}

/// The reason recorded: the caller's, or who cancelled when they gave none.
fn reason(body: &CancelRequest, staff: bool) -> String {
    match body.reason.as_deref().map(str::trim) {
        Some(reason) if !reason.is_empty() => reason.to_owned(),
        _ if staff => "cancelled by staff".to_owned(),
        _ => "cancelled by the customer".to_owned(),
    }
}

/// Cancels an order.
#[utoipa::path(
    post,
    path = "/api/v1/orders/{orderId}/cancel",
    tag = "orders",
    params(("orderId" = String, Path, description = "The order's id")),
    request_body = CancelRequest,
    responses(
        (status = 200, description = "The order is cancelled", body = Envelope<OrderStatusChanged>,
            headers(("X-Emporium-Position" = u64, description = "Position of the event"))),
        (status = 400, description = "`reason` longer than 500 characters", body = Envelope<String>),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
        (status = 404, description = "`order.not_found` (also another customer's order)", body = Envelope<String>),
        (status = 409, description = "`order.invalid_transition`: shipped, delivered, cancelled or refunded", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(actor = %caller.actor()))]
pub async fn cancel_order(
    State(state): State<WriteState>,
    caller: Caller,
    context: RequestContext,
    path: Result<Path<String>, PathRejection>,
    ApiJson(body): ApiJson<CancelRequest>,
) -> Result<Response, ApiError> {
    let order_id = order_id(path)?;
    let loaded = load::<Order>(&state, &order_id.to_string()).await?;
    let order = loaded.order().filter(|o| caller.may_access(o.customer_id.as_uuid())).ok_or_else(order_not_found)?;
    let refund_due = order.paid.amount() > order.refunded.amount();
    let reason = reason(&body, caller.is_staff());
    let command = OrderCommand::Cancel { order_id, reason: reason.clone(), at: Utc::now() };
    let outcome = run::<Order>(&state, &context, &caller.actor(), order_id.to_string(), command, None)
        .await
        .map_err(command_error)?;
    let data = OrderStatusChanged {
        id: order_id.to_string(),
        status: OrderStatus::Cancelled.as_str().to_owned(),
        cancellation_reason: Some(reason),
        refund_due: Some(refund_due),
        position: outcome.position,
    };
    Ok(with_position(ok(data), outcome.position))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_reason_says_who_cancelled() {
        assert_eq!(reason(&CancelRequest { reason: Some(" changed my mind ".into()) }, false), "changed my mind");
        assert_eq!(reason(&CancelRequest { reason: Some("  ".into()) }, false), "cancelled by the customer");
        assert_eq!(reason(&CancelRequest::default(), true), "cancelled by staff");
    }
}
