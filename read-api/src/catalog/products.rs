//! Browsing the catalog: product listing, search and one product. Guests may call
//! them; discontinued products are left out of listings but still found by id.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use emporium_api_kit::ErrorCode;
use emporium_api_kit::envelope::ok;
use emporium_api_kit::position::MinPosition;
use emporium_api_kit::{ApiError, Envelope, Guest};
use emporium_domain::ids::ProductId;
use emporium_projections::models::catalog::PRODUCTS;

use super::params::{ProductParams, ProductSearch};
use super::views::ProductView;
use crate::paging::Listing;
use crate::state::ReadState;

/// Lists products, filtered, sorted and paged.
#[utoipa::path(
    get,
    path = "/api/v1/products",
    tag = "catalog",
    params(ProductParams, ("X-Emporium-Min-Position" = Option<u64>, Header, description = "Wait until this position is applied")),
    responses(
        (status = 200, description = "A page of products", body = Envelope<Listing<ProductView>>),
        (status = 400, description = "A query parameter is invalid (named in `errors`)", body = Envelope<String>),
        (status = 503, description = "The read model has not reached `X-Emporium-Min-Position` in 5 s", body = Envelope<String>),
    ),
    security((), ("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_products(
    State(state): State<ReadState>,
    _guest: Guest,
    min: MinPosition,
    params: Result<Query<ProductParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    find(&state, min, params, false).await
}

/// Searches products by text (in name, description, SKU, category name), with the
/// listing's filters, sort and paging.
#[utoipa::path(
    get,
    path = "/api/v1/products/search",
    tag = "catalog",
    params(ProductParams, ("X-Emporium-Min-Position" = Option<u64>, Header, description = "Wait until this position is applied")),
    responses(
        (status = 200, description = "A page of matching products", body = Envelope<Listing<ProductView>>),
        (status = 400, description = "`q` is missing, or a parameter is invalid", body = Envelope<String>),
        (status = 503, description = "The read model has not reached `X-Emporium-Min-Position` in 5 s", body = Envelope<String>),
    ),
    security((), ("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn search_products(
    State(state): State<ReadState>,
    _guest: Guest,
    min: MinPosition,
    params: Result<Query<ProductParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    find(&state, min, params, true).await
}

async fn find(
    state: &ReadState,
    min: MinPosition,
    params: Result<Query<ProductParams>, QueryRejection>,
    require_q: bool,
) -> Result<Response, ApiError> {
    let Query(params) =
        params.map_err(|rejection| ApiError::new(ErrorCode::RequestInvalidQuery, rejection.body_text()))?;
    let search = ProductSearch::parse(&params, require_q)?;
    state.caught_up(min).await?;
    let page = state.reads.query(PRODUCTS, &search.query).await.map_err(|e| ApiError::read_store(&e))?;
    let items = page.items.into_iter().map(ProductView::from_doc).collect::<Result<Vec<_>, _>>()?;
    Ok(ok(Listing::new(items, page.total, search.paging)))
}

/// One product by id; a discontinued one is shown with `discontinued: true`.
#[utoipa::path(
    get,
    path = "/api/v1/products/{id}",
    tag = "catalog",
    params(("id" = String, Path, description = "Product id"), ("X-Emporium-Min-Position" = Option<u64>, Header, description = "Wait until this position is applied")),
    responses(
        (status = 200, description = "The product", body = Envelope<ProductView>),
        (status = 404, description = "No such product (or a malformed id)", body = Envelope<String>),
        (status = 503, description = "The read model has not reached `X-Emporium-Min-Position` in 5 s", body = Envelope<String>),
    ),
    security((), ("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn get_product(
    State(state): State<ReadState>,
    _guest: Guest,
    min: MinPosition,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let not_found = || ApiError::new(ErrorCode::ProductNotFound, "product not found");
    let id: ProductId = path.ok().and_then(|Path(raw)| raw.parse().ok()).ok_or_else(not_found)?;
    state.caught_up(min).await?;
    let doc = state
        .reads
        .get(PRODUCTS, &id.to_string())
        .await
        .map_err(|e| ApiError::read_store(&e))?
        .ok_or_else(not_found)?;
    Ok(ok(ProductView::from_doc(doc)?))
}
