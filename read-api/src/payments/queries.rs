//! `GET /api/v1/payments/{paymentId}` and `GET /api/v1/payments/order/{orderId}`:
//! payment attempts from the `payments` read model. A customer sees only their own
//! (anyone else's is a 404); Admin and Manager see all.
//!
//! Read-your-writes: with `X-Emporium-Min-Position` the read waits for that
//! position. Without it, a payment not found yet is looked up once more after the
//! read model reached the log's current head (bounded), so a payment the saga has
//! just requested is not reported missing.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use emporium_api_kit::ErrorCode;
use emporium_api_kit::envelope::ok;
use emporium_api_kit::position::MinPosition;
use emporium_api_kit::{ApiError, Caller, Envelope};
use emporium_domain::ids::{OrderId, PaymentId};
use emporium_infra::read_store::{MAX_LIMIT, Query, SortDirection};
use emporium_projections::models::payments::PAYMENTS;

use super::views::{OrderPayments, PaymentView};
use crate::state::ReadState;

fn payment_not_found() -> ApiError {
    ApiError::new(ErrorCode::PaymentNotFound, "payment not found")
}

/// An id from the path; anything malformed names nothing (404).
fn path_id<T: std::str::FromStr>(path: Result<Path<String>, PathRejection>) -> Result<T, ApiError> {
    path.ok().and_then(|Path(raw)| raw.trim().parse().ok()).ok_or_else(payment_not_found)
}

/// Waits (bounded) for the read models to reach the log's head; a timeout is ignored.
async fn settle(state: &ReadState) -> Result<(), ApiError> {
    let head = state.events.head_position().await.map_err(|e| ApiError::internal(&e))?;
    let _ = state.caught_up(MinPosition(head)).await;
    Ok(())
}

fn visible(caller: &Caller, payment: &PaymentView) -> bool {
    caller.is_staff() || payment.customer_id == caller.customer_id.to_string()
}

async fn by_id(state: &ReadState, id: PaymentId) -> Result<Option<PaymentView>, ApiError> {
    let doc = state.reads.get(PAYMENTS, &id.to_string()).await.map_err(|e| ApiError::read_store(&e))?;
    doc.map(PaymentView::from_doc).transpose()
}

async fn by_order(state: &ReadState, id: OrderId) -> Result<Vec<PaymentView>, ApiError> {
    let query =
        Query::new().filter("order_id", id.to_string()).sort("created_at", SortDirection::Asc).page(0, MAX_LIMIT);
    let page = state.reads.query(PAYMENTS, &query).await.map_err(|e| ApiError::read_store(&e))?;
    page.items.into_iter().map(PaymentView::from_doc).collect()
}

/// One payment.
#[utoipa::path(
    get,
    path = "/api/v1/payments/{paymentId}",
    tag = "payments",
    params(
        ("paymentId" = String, Path, description = "The payment's id"),
        ("X-Emporium-Min-Position" = Option<u64>, Header, description = "Wait until this position is applied"),
    ),
    responses(
        (status = 200, description = "The payment", body = Envelope<PaymentView>),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
        (status = 404, description = "No such payment of the caller's", body = Envelope<String>),
        (status = 503, description = "The read model has not reached `X-Emporium-Min-Position` in 5 s", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(customer_id = %caller.customer_id))]
pub async fn get_payment(
    State(state): State<ReadState>,
    caller: Caller,
    min: MinPosition,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let id: PaymentId = path_id(path)?;
    state.caught_up(min).await?;
    let payment = match by_id(&state, id).await? {
        Some(payment) => Some(payment),
        None => {
            settle(&state).await?;
            by_id(&state, id).await?
        }
    };
    match payment {
        Some(payment) if visible(&caller, &payment) => Ok(ok(payment)),
        _ => Err(payment_not_found()),
    }
}

/// The payments of an order: the current one's fields, and every attempt.
#[utoipa::path(
    get,
    path = "/api/v1/payments/order/{orderId}",
    tag = "payments",
    params(
        ("orderId" = String, Path, description = "The order's id"),
        ("X-Emporium-Min-Position" = Option<u64>, Header, description = "Wait until this position is applied"),
    ),
    responses(
        (status = 200, description = "The order's current payment, with every attempt", body = Envelope<OrderPayments>),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
        (status = 404, description = "No payment for this order of the caller's (yet)", body = Envelope<String>),
        (status = 503, description = "The read model has not reached `X-Emporium-Min-Position` in 5 s", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(customer_id = %caller.customer_id))]
pub async fn get_order_payments(
    State(state): State<ReadState>,
    caller: Caller,
    min: MinPosition,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let id: OrderId = path_id(path)?;
    state.caught_up(min).await?;
    let mut attempts = by_order(&state, id).await?;
    if attempts.is_empty() {
        settle(&state).await?;
        attempts = by_order(&state, id).await?;
    }
    attempts.retain(|payment| visible(&caller, payment));
    let current = attempts
        .iter()
        .rev()
        .find(|payment| payment.took_money())
        .or_else(|| attempts.last())
        .cloned()
        .ok_or_else(|| ApiError::new(ErrorCode::PaymentNotFound, "no payment for this order"))?;
    Ok(ok(OrderPayments { current, attempts }))
}
