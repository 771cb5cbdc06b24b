//! The facts the write API's handlers check before a command (a product on sale, the
//! stock of a SKU, a coupon by its code), from `emporium_commands::lookups`, which
//! reads them from their own streams; here they become API errors.

use emporium_api_kit::{ApiError, ErrorCode};
use emporium_commands::lookups::{self, LookupError};
use emporium_domain::Decider;
use emporium_domain::coupon::CouponState;
use emporium_domain::ids::{CouponId, ProductId};
use emporium_domain::product::ProductRecord;
use emporium_domain::values::Sku;

use crate::errors::store_error;
use crate::state::WriteState;

/// Loads an aggregate's state.
pub(crate) async fn load<D: Decider>(state: &WriteState, id: &str) -> Result<D::State, ApiError> {
    lookups::load::<D>(&state.commands, id).await.map_err(lookup_error)
}

/// A product that can be sold: 404 when it does not exist, 409 when discontinued.
pub(crate) async fn product_on_sale(state: &WriteState, id: ProductId) -> Result<ProductRecord, ApiError> {
    lookups::product_on_sale(&state.commands, id).await.map_err(lookup_error)
}

/// 409 `inventory.insufficient_stock` unless `wanted` units of `sku` (called `name`) are available.
pub(crate) async fn require_stock(state: &WriteState, sku: &Sku, name: &str, wanted: u64) -> Result<(), ApiError> {
    let available = lookups::available(&state.commands, sku).await.map_err(lookup_error)?;
    if wanted > available {
        return Err(ApiError::new(
            ErrorCode::InventoryInsufficientStock,
            format!("only {available} of {name} available, {wanted} wanted"),
        ));
    }
    Ok(())
}

/// The coupon a shopper's code names, with its state; `None` when no coupon has it.
pub(crate) async fn coupon_by_code(state: &WriteState, raw: &str) -> Result<Option<(CouponId, CouponState)>, ApiError> {
    lookups::coupon_by_code(&state.commands, state.accounts.as_ref(), raw).await.map_err(lookup_error)
}

/// 404 `coupon.not_found` for a code no coupon has.
pub(crate) fn coupon_not_found(code: &str) -> ApiError {
    let shown: String = code.chars().take(64).collect();
    ApiError::new(ErrorCode::CouponNotFound, format!("no coupon has the code {shown}"))
}

/// A lookup's failure: 404 or 409 for the product, 503 for an event store out of
/// reach, else a 500.
fn lookup_error(error: LookupError) -> ApiError {
    match error {
        LookupError::ProductNotFound(_) => ApiError::new(ErrorCode::ProductNotFound, error.to_string()),
        LookupError::ProductDiscontinued(_) => ApiError::new(ErrorCode::ProductDiscontinued, error.to_string()),
        LookupError::Store(store) => store_error(store),
        other => ApiError::internal(&other),
    }
}
