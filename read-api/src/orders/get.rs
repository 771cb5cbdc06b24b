//! Reading orders: one by id, and a customer's history (newest first, paged).
//! A customer reaches only their own orders; anyone else's is a 404.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use emporium_api_kit::ErrorCode;
use emporium_api_kit::envelope::ok;
use emporium_api_kit::position::MinPosition;
use emporium_api_kit::{ApiError, Caller, Envelope, FieldError};
use emporium_domain::order::OrderStatus;
use emporium_infra::read_store::{Query as ReadQuery, SortDirection};
use emporium_projections::models::orders::ORDERS;
use serde::Deserialize;
use uuid::Uuid;

use super::view::OrderView;
use crate::paging::{DEFAULT_PAGE_SIZE, Listing, Paging};
use crate::state::ReadState;

/// 404 `order.not_found`.
pub(crate) fn order_not_found() -> ApiError {
    ApiError::new(ErrorCode::OrderNotFound, "order not found")
}

/// The order named by the path if the caller may see it (its owner or staff), else 404.
pub(crate) async fn reachable_order(
    state: &ReadState,
    caller: &Caller,
    path: Result<Path<String>, PathRejection>,
) -> Result<OrderView, ApiError> {
    let id = path.ok().and_then(|Path(raw)| Uuid::parse_str(raw.trim()).ok()).ok_or_else(order_not_found)?;
    let doc = state
        .reads
        .get(ORDERS, &id.to_string())
        .await
        .map_err(|e| ApiError::read_store(&e))?
        .ok_or_else(order_not_found)?;
    let order = OrderView::from_doc(doc)?;
    let owner = Uuid::parse_str(&order.customer_id).ok();
    if owner.is_some_and(|owner| caller.may_access(owner)) { Ok(order) } else { Err(order_not_found()) }
}

/// One order.
#[utoipa::path(
    get,
    path = "/api/v1/orders/{orderId}",
    tag = "orders",
    params(
        ("orderId" = String, Path, description = "The order's id"),
        ("X-Emporium-Min-Position" = Option<u64>, Header, description = "Wait until this position is applied"),
    ),
    responses(
        (status = 200, description = "The order", body = Envelope<OrderView>),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
        (status = 404, description = "No such order, or another customer's", body = Envelope<String>),
        (status = 503, description = "The read model has not reached `X-Emporium-Min-Position` in 5 s", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(actor = %caller.actor()))]
pub async fn get_order(
    State(state): State<ReadState>,
    caller: Caller,
    min: MinPosition,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    state.caught_up(min).await?;
    Ok(ok(reachable_order(&state, &caller, path).await?))
}

/// The query string of a customer's order history.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryParams {
    /// Page number from 1 (default 1).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 1000000)]
    pub page: Option<String>,
    /// Orders per page, 1-100 (default 20).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 100)]
    pub page_size: Option<String>,
    /// Only orders in this status.
    #[param(pattern = "^(|pending|awaiting_payment|paid|confirmed|shipped|delivered|cancelled|refunded)$")]
    pub status: Option<String>,
}

/// The read-store query for a customer's history, or 400 naming each bad parameter.
pub fn history_query(customer: &str, params: &HistoryParams) -> Result<(ReadQuery, Paging), ApiError> {
    let mut errors = Vec::new();
    let paging = Paging::parse(params.page.as_deref(), params.page_size.as_deref(), DEFAULT_PAGE_SIZE, &mut errors);
    let mut query = ReadQuery::new().filter("customer_id", customer);
    if let Some(raw) = params.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        match OrderStatus::ALL.iter().find(|s| s.as_str() == raw) {
            Some(status) => query = query.filter("status", status.as_str()),
            None => errors.push(FieldError::new("status", ErrorCode::ValidationInvalid, "status must be one of pending, awaiting_payment, paid, confirmed, shipped, delivered, cancelled, refunded")),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    Ok((query.sort("created_at", SortDirection::Desc).page(paging.offset(), paging.page_size), paging))
}

/// A customer's orders, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/orders/user/{userId}",
    tag = "orders",
    params(
        ("userId" = String, Path, description = "The customer's id"),
        HistoryParams,
        ("X-Emporium-Min-Position" = Option<u64>, Header, description = "Wait until this position is applied"),
    ),
    responses(
        (status = 200, description = "A page of the customer's orders", body = Envelope<Listing<OrderView>>),
        (status = 400, description = "`page`, `page_size` or `status` is invalid", body = Envelope<String>),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
        (status = 404, description = "Another customer's orders, or a malformed id", body = Envelope<String>),
        (status = 503, description = "The read model has not reached `X-Emporium-Min-Position` in 5 s", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(actor = %caller.actor()))]
pub async fn list_user_orders(
    State(state): State<ReadState>,
    caller: Caller,
    min: MinPosition,
    path: Result<Path<String>, PathRejection>,
    params: Result<Query<HistoryParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let customer = path
        .ok()
        .and_then(|Path(raw)| Uuid::parse_str(raw.trim()).ok())
        .filter(|id| caller.may_access(*id))
        .ok_or_else(|| ApiError::new(ErrorCode::UserNotFound, "customer not found"))?
        .to_string();
    let Query(params) =
        params.map_err(|rejection| ApiError::new(ErrorCode::RequestInvalidQuery, rejection.body_text()))?;
    let (query, paging) = history_query(&customer, &params)?;
    state.caught_up(min).await?;
    let page = state.reads.query(ORDERS, &query).await.map_err(|e| ApiError::read_store(&e))?;
    let items = page.items.into_iter().map(OrderView::from_doc).collect::<Result<Vec<_>, _>>()?;
    Ok(ok(Listing::new(items, page.total, paging)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use emporium_infra::read_store::FieldValue;

    use super::*;

    fn params(page: Option<&str>, page_size: Option<&str>, status: Option<&str>) -> HistoryParams {
        HistoryParams {
            page: page.map(Into::into),
            page_size: page_size.map(Into::into),
            status: status.map(Into::into),
        }
    }

    #[test]
    fn history_is_the_customers_newest_first_and_paged() {
        let (query, paging) = history_query("c1", &params(Some("3"), Some("10"), Some("shipped"))).unwrap();
        assert_eq!((paging.page, paging.page_size, query.offset, query.limit), (3, 10, 20, 10));
        assert_eq!(query.filters[0].value, FieldValue::Text("c1".into()));
        assert_eq!(query.filters[1].value, FieldValue::Text("shipped".into()));
        let sort = query.sort.unwrap();
        assert_eq!((sort.field.as_str(), sort.direction), ("created_at", SortDirection::Desc));
        let (query, paging) = history_query("c1", &HistoryParams::default()).unwrap();
        assert_eq!((paging.page, query.limit, query.filters.len()), (1, 20, 1));
    }

    #[test]
    fn bad_parameters_are_named() {
        let error = history_query("c1", &params(Some("0"), Some("1000"), Some("lost"))).unwrap_err();
        let fields: Vec<_> = error.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["page", "page_size", "status"]);
    }
}
