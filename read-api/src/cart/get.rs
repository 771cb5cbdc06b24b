//! `GET /api/v1/cart/{userId}`: the cart of a customer.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use emporium_api_kit::ErrorCode;
use emporium_api_kit::envelope::ok;
use emporium_api_kit::position::MinPosition;
use emporium_api_kit::{ApiError, Caller, Envelope};
use emporium_projections::models::carts::CARTS;
use uuid::Uuid;

use super::view;
use crate::state::ReadState;
use emporium_api_kit::cart_view::CartView;

/// A customer's cart; an empty or never-used one answers with no items and zero totals.
#[utoipa::path(
    get,
    path = "/api/v1/cart/{userId}",
    tag = "cart",
    params(
        ("userId" = String, Path, description = "The cart owner's customer id"),
        ("X-Emporium-Min-Position" = Option<u64>, Header, description = "Wait until this position is applied"),
    ),
    responses(
        (status = 200, description = "The cart", body = Envelope<CartView>),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
        (status = 404, description = "Another customer's cart, or a malformed id", body = Envelope<String>),
        (status = 503, description = "The read model has not reached `X-Emporium-Min-Position` in 5 s", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(actor = %caller.actor()))]
pub async fn get_cart(
    State(state): State<ReadState>,
    caller: Caller,
    min: MinPosition,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let customer = path
        .ok()
        .and_then(|Path(raw)| Uuid::parse_str(raw.trim()).ok())
        .filter(|id| caller.may_access(*id))
        .ok_or_else(|| ApiError::new(ErrorCode::CartNotFound, "cart not found"))?
        .to_string();
    state.caught_up(min).await?;
    let doc = state.reads.get(CARTS, &customer).await.map_err(|e| ApiError::read_store(&e))?;
    let view = match doc {
        Some(doc) => view::from_doc(doc)?,
        None => CartView::empty(&customer),
    };
    Ok(ok(view))
}
