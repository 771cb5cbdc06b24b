//! The facts cart and order commands need, read from their own streams (the source
//! of truth, so a product created a moment ago is found before any read model has
//! caught up): a product on sale, the stock of a SKU, a coupon by its code.

use emporium_api_kit::ApiError;
use emporium_api_kit::ErrorCode;
use emporium_domain::Decider;
use emporium_domain::coupon::{Coupon, CouponCode, CouponState};
use emporium_domain::ids::{CouponId, ProductId};
use emporium_domain::inventory::{Inventory, InventoryState};
use emporium_domain::product::{Product, ProductRecord};
use emporium_domain::values::Sku;
use emporium_infra::accounts::ClaimKind;
use uuid::Uuid;

use crate::state::WriteState;

/// Loads an aggregate's state; only storage can fail here, so any error is a 500.
pub(crate) async fn load<D: Decider>(state: &WriteState, id: &str) -> Result<D::State, ApiError> {
    state.commands.load::<D>(id).await.map(|(loaded, _, _)| loaded).map_err(|e| ApiError::internal(&e))
}

/// A product that can be sold: 404 when it does not exist, 409 when discontinued.
pub(crate) async fn product_on_sale(state: &WriteState, id: ProductId) -> Result<ProductRecord, ApiError> {
    let product = load::<Product>(state, &id.to_string()).await?;
    let record = product
        .product()
        .cloned()
        .ok_or_else(|| ApiError::new(ErrorCode::ProductNotFound, format!("no product has the id {id}")))?;
    if record.is_discontinued() {
        return Err(ApiError::new(
            ErrorCode::ProductDiscontinued,
            format!("{} is discontinued and can no longer be bought", record.name()),
        ));
    }
    Ok(record)
}

/// Units of `sku` that can still be reserved (0 when it never had stock).
pub(crate) async fn available(state: &WriteState, sku: &Sku) -> Result<u64, ApiError> {
    load::<Inventory>(state, sku.as_str()).await.map(|s: InventoryState| s.available())
}

/// 409 `inventory.insufficient_stock` unless `wanted` units of `sku` (called `name`) are available.
pub(crate) async fn require_stock(state: &WriteState, sku: &Sku, name: &str, wanted: u64) -> Result<(), ApiError> {
    let available = available(state, sku).await?;
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
    let Ok(code) = CouponCode::parse(raw) else {
        return Ok(None);
    };
    let owner =
        state.accounts.unique_owner(ClaimKind::CouponCode, code.as_str()).await.map_err(|e| ApiError::internal(&e))?;
    let Some(id) = owner.and_then(|owner| Uuid::parse_str(&owner).ok()).map(CouponId::from_uuid) else {
        return Ok(None);
    };
    let coupon = load::<Coupon>(state, &id.to_string()).await?;
    Ok(coupon.exists().then_some((id, coupon)))
}

/// 404 `coupon.not_found` for a code no coupon has.
pub(crate) fn coupon_not_found(code: &str) -> ApiError {
    let shown: String = code.chars().take(64).collect();
    ApiError::new(ErrorCode::CouponNotFound, format!("no coupon has the code {shown}"))
}
