//! Checks against the event store that a command's references exist: the product a
//! change is for, the category a product or category names. The streams are the
//! source of truth, so a category created a moment ago is found even before the
//! read models have caught up.

use emporium_api_kit::ApiError;
use emporium_api_kit::ErrorCode;
use emporium_domain::category::Category;
use emporium_domain::ids::{CategoryId, ProductId};
use emporium_domain::product::{Product, ProductRecord, ProductState};

use crate::errors::command_error;
use crate::state::WriteState;

/// A product's state and the position of its last event.
#[derive(Debug, Clone)]
pub(crate) struct LoadedProduct {
    /// What the stream says.
    pub(crate) state: ProductState,
    /// The record inside `state`.
    pub(crate) record: ProductRecord,
    /// Global position of the stream's last event.
    pub(crate) position: u64,
}

/// The product's current state, or 404 when it was never created.
pub(crate) async fn existing_product(state: &WriteState, id: ProductId) -> Result<LoadedProduct, ApiError> {
    found(state.commands.load::<Product>(&id.to_string()).await.map_err(command_error)?)
}

fn found((product, _, position): (ProductState, u64, u64)) -> Result<LoadedProduct, ApiError> {
    match product.product().cloned() {
        Some(record) => Ok(LoadedProduct { state: product, record, position }),
        None => Err(ApiError::new(ErrorCode::ProductNotFound, "product not found")),
    }
}

/// Whether the category exists.
pub(crate) async fn category_exists(state: &WriteState, id: CategoryId) -> Result<bool, ApiError> {
    let (category, _, _) = state.commands.load::<Category>(&id.to_string()).await.map_err(command_error)?;
    Ok(category.exists())
}

/// 400 naming `field` unless the category exists.
pub(crate) async fn require_category(state: &WriteState, field: &str, id: CategoryId) -> Result<(), ApiError> {
    if category_exists(state, id).await? {
        Ok(())
    } else {
        Err(ApiError::field(field, ErrorCode::CategoryNotFound, format!("no category has the id {id}")))
    }
}
