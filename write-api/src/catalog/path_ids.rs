//! Ids taken from the URL path: anything that is not a well-formed id is simply a
//! thing that does not exist (404), never a 400 or axum's plain-text rejection.

use axum::extract::Path;
use axum::extract::rejection::PathRejection;
use emporium_api_kit::ApiError;
use emporium_api_kit::ErrorCode;
use emporium_domain::ids::ProductId;

/// The product named by `/products/{id}`, or 404.
pub(crate) fn product_id(path: Result<Path<String>, PathRejection>) -> Result<ProductId, ApiError> {
    path.ok()
        .and_then(|Path(raw)| raw.parse().ok())
        .ok_or_else(|| ApiError::new(ErrorCode::ProductNotFound, "product not found"))
}
