//! `GET /api/v1/payments/methods/{userId}`: a customer's saved payment methods from
//! the `payment_methods` read model — brand and last four digits, never the token.
//! A customer sees only their own list (anyone else's is a 404); Admin and Manager
//! see anyone's.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use emporium_api_kit::ErrorCode;
use emporium_api_kit::envelope::ok;
use emporium_api_kit::position::MinPosition;
use emporium_api_kit::{ApiError, Caller, Envelope};
use emporium_infra::read_store::{MAX_LIMIT, Query, SortDirection};
use emporium_projections::models::payments::PAYMENT_METHODS;
use uuid::Uuid;

use super::views::{MethodList, SavedMethodView};
use crate::state::ReadState;

/// A customer's saved payment methods, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/payments/methods/{userId}",
    tag = "payments",
    params(
        ("userId" = String, Path, description = "The customer's id"),
        ("X-Emporium-Min-Position" = Option<u64>, Header, description = "Wait until this position is applied"),
    ),
    responses(
        (status = 200, description = "The saved methods", body = Envelope<MethodList>),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
        (status = 404, description = "Not the caller's own list (and the caller is not staff)", body = Envelope<String>),
        (status = 503, description = "The read model has not reached `X-Emporium-Min-Position` in 5 s", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(customer_id = %caller.customer_id))]
pub async fn list_methods(
    State(state): State<ReadState>,
    caller: Caller,
    min: MinPosition,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let not_found = || ApiError::new(ErrorCode::CustomerNotFound, "no such customer");
    let user: Uuid = path.ok().and_then(|Path(raw)| raw.trim().parse().ok()).ok_or_else(not_found)?;
    if !caller.may_access(user) {
        return Err(not_found());
    }
    state.caught_up(min).await?;
    let query =
        Query::new().filter("customer_id", user.to_string()).sort("created_at", SortDirection::Asc).page(0, MAX_LIMIT);
    let page = state.reads.query(PAYMENT_METHODS, &query).await.map_err(|e| ApiError::read_store(&e))?;
    let items = page.items.into_iter().map(SavedMethodView::from_doc).collect::<Result<Vec<_>, _>>()?;
    Ok(ok(MethodList { total: page.total, items }))
}
