//! Browsing categories; guests may call these.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use emporium_api_kit::ErrorCode;
use emporium_api_kit::envelope::ok;
use emporium_api_kit::position::MinPosition;
use emporium_api_kit::{ApiError, Envelope, Guest};
use emporium_domain::ids::CategoryId;
use emporium_infra::read_store::{Query as StoreQuery, SortDirection};
use emporium_projections::models::catalog::CATEGORIES;
use serde::Deserialize;

use super::views::CategoryView;
use crate::paging::{Listing, MAX_PAGE_SIZE, Paging};
use crate::state::ReadState;

/// Paging of the category list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CategoryParams {
    /// Only the direct children of this category id.
    pub parent_id: Option<String>,
    /// Page number from 1 (default 1).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 1000000)]
    pub page: Option<String>,
    /// Categories per page, 1-100 (default 100).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 100)]
    pub page_size: Option<String>,
}

/// Lists categories by name.
#[utoipa::path(
    get,
    path = "/api/v1/categories",
    tag = "catalog",
    params(CategoryParams, ("X-Emporium-Min-Position" = Option<u64>, Header, description = "Wait until this position is applied")),
    responses(
        (status = 200, description = "A page of categories, by name", body = Envelope<Listing<CategoryView>>),
        (status = 400, description = "A query parameter is invalid", body = Envelope<String>),
    ),
    security((), ("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_categories(
    State(state): State<ReadState>,
    _guest: Guest,
    min: MinPosition,
    params: Result<Query<CategoryParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(params) =
        params.map_err(|rejection| ApiError::new(ErrorCode::RequestInvalidQuery, rejection.body_text()))?;
    let mut errors = Vec::new();
    let paging = Paging::parse(params.page.as_deref(), params.page_size.as_deref(), MAX_PAGE_SIZE, &mut errors);
    let mut query = StoreQuery::new().sort("name", SortDirection::Asc).page(paging.offset(), paging.page_size);
    match params.parent_id.as_deref().map(str::trim) {
        None | Some("") => {}
        Some(raw) => match raw.parse::<CategoryId>() {
            Ok(parent) => query = query.filter("parent_id", parent.to_string()),
            Err(_) => errors.push(emporium_api_kit::FieldError::new(
                "parent_id",
                ErrorCode::ValidationInvalidId,
                "parent_id must be a category id",
            )),
        },
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    state.caught_up(min).await?;
    let page = state.reads.query(CATEGORIES, &query).await.map_err(|e| ApiError::read_store(&e))?;
    let items = page.items.into_iter().map(CategoryView::from_doc).collect::<Result<Vec<_>, _>>()?;
    Ok(ok(Listing::new(items, page.total, paging)))
}

/// One category by id.
#[utoipa::path(
    get,
    path = "/api/v1/categories/{id}",
    tag = "catalog",
    params(("id" = String, Path, description = "Category id"), ("X-Emporium-Min-Position" = Option<u64>, Header, description = "Wait until this position is applied")),
    responses(
        (status = 200, description = "The category", body = Envelope<CategoryView>),
        (status = 404, description = "No such category", body = Envelope<String>),
    ),
    security((), ("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn get_category(
    State(state): State<ReadState>,
    _guest: Guest,
    min: MinPosition,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let not_found = || ApiError::new(ErrorCode::CategoryNotFound, "category not found");
    let id: CategoryId = path.ok().and_then(|Path(raw)| raw.parse().ok()).ok_or_else(not_found)?;
    state.caught_up(min).await?;
    let doc = state
        .reads
        .get(CATEGORIES, &id.to_string())
        .await
        .map_err(|e| ApiError::read_store(&e))?
        .ok_or_else(not_found)?;
    Ok(ok(CategoryView::from_doc(doc)?))
}
