//! Paying an order that awaits payment (its last payment was declined): the new
//! method is recorded on the order, and the checkout saga, which follows the order's
//! events, reserves the stock again and charges the method. The answer is 202: the
//! charge happens after it.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use emporium_api_kit::ErrorCode;
use emporium_api_kit::position::with_position;
use emporium_api_kit::{ApiError, ApiJson, Caller, Envelope, RequestContext};
use emporium_commands::wallet;
use emporium_domain::Decider;
use emporium_domain::ids::{CustomerId, OrderId, PaymentMethodId};
use emporium_domain::order::{Order, OrderCommand, OrderState, OrderStatus};
use uuid::Uuid;

use super::answers::PaymentAccepted;
use super::input::{PayOrder, ProcessPaymentRequest};
use super::refusals::{order_command_error, order_refusal, wallet_error};
use crate::command::run;
use crate::state::WriteState;

fn not_found() -> ApiError {
    ApiError::new(ErrorCode::OrderNotFound, "order not found")
}

/// The caller's order (404 for anyone else's, with no hint that it exists).
async fn own_order(state: &WriteState, caller: &Caller, order_id: OrderId) -> Result<OrderState, ApiError> {
    let (order, _, _) = state.commands.load::<Order>(&order_id.to_string()).await.map_err(order_command_error)?;
    match order.order() {
        Some(placed) if placed.customer_id.as_uuid() == caller.customer_id => Ok(order),
        _ => Err(not_found()),
    }
}

/// Pays an order awaiting payment with a saved method or a provider token.
#[utoipa::path(
    post,
    path = "/api/v1/payments/process",
    tag = "payments",
    request_body = ProcessPaymentRequest,
    responses(
        (status = 202, description = "The method is recorded on the order; the checkout saga charges it. Follow the order's status.", body = Envelope<PaymentAccepted>,
            headers(("Location" = String, description = "/api/v1/orders/{orderId}"), ("X-Emporium-Position" = u64, description = "Position of the event"))),
        (status = 400, description = "Invalid `order_id`, or `payment_method` is no saved method of the caller's nor a token the provider accepts", body = Envelope<String>),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
        (status = 404, description = "No such order of the caller's", body = Envelope<String>),
        (status = 409, description = "`order.invalid_transition`: the order is not awaiting payment; `order.payment_deadline_passed`", body = Envelope<String>),
        (status = 503, description = "The payment provider is unavailable", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(actor = %caller.actor()))]
pub async fn process_payment(
    State(state): State<WriteState>,
    caller: Caller,
    context: RequestContext,
    ApiJson(body): ApiJson<ProcessPaymentRequest>,
) -> Result<Response, ApiError> {
    let request = PayOrder::try_from(body)?;
    let order = own_order(&state, &caller, request.order_id).await?;
    let at = Utc::now();
    let change = |method: PaymentMethodId| OrderCommand::ChangePaymentMethod {
        order_id: request.order_id,
        payment_method: method.to_string(),
        at,
    };
    // The order's own rules first (status, deadline), before any token is kept.
    Order::decide(&order, &change(PaymentMethodId::from_uuid(Uuid::nil()))).map_err(|e| order_refusal(&e))?;
    let customer_id = CustomerId::from_uuid(caller.customer_id);
    let method_id = wallet::method_for_order(state.wallet_ports(), customer_id, &request.method)
        .await
        .map_err(|e| wallet_error("payment_method", e))?;
    let outcome =
        run::<Order>(&state, &context, &caller.actor(), request.order_id.to_string(), change(method_id), None)
            .await
            .map_err(order_command_error)?;
    let data = PaymentAccepted {
        order_id: request.order_id.to_string(),
        status: OrderStatus::Pending.as_str().to_owned(),
        payment_method: method_id.to_string(),
        position: outcome.position,
    };
    let mut response = (StatusCode::ACCEPTED, Json(Envelope::ok(data, "accepted"))).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/orders/{}", request.order_id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(with_position(response, outcome.position))
}
