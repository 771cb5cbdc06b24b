//! Cart request bodies and their checks: every bad field is reported at once, and
//! nothing reaches a command unchecked.

use emporium_api_kit::ErrorCode;
use emporium_api_kit::{ApiError, FieldError};
use emporium_domain::ids::ProductId;
use emporium_domain::values::Quantity;
use serde::Deserialize;

/// The most units of one product a cart line (or an order line) may hold.
pub const MAX_LINE_QUANTITY: i64 = 1000;

/// Longest coupon code looked up; longer ones cannot exist.
pub const MAX_CODE_CHARS: usize = 64;

/// `POST /api/v1/cart/items`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddItemRequest {
    /// The product's id.
    #[schema(format = Uuid)]
    pub product_id: String,
    /// Units to add, 1-1000 (merged into the product's line if it has one).
    #[schema(minimum = 1, maximum = 1000)]
    pub quantity: i64,
}

/// `PUT /api/v1/cart/items/{itemId}`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeQuantityRequest {
    /// The line's new quantity, 1-1000.
    #[schema(minimum = 1, maximum = 1000)]
    pub quantity: i64,
}

/// `POST /api/v1/cart/apply-coupon`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyCouponRequest {
    /// The code as the shopper typed it (case-insensitive; trimmed, 1-64 characters).
    #[schema(schema_with = emporium_api_kit::schema_rules::text::<64>)]
    pub code: String,
}

/// A checked `AddItemRequest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewItem {
    /// The product.
    pub product_id: ProductId,
    /// Units to add.
    pub quantity: Quantity,
}

impl TryFrom<AddItemRequest> for NewItem {
    type Error = ApiError;

    fn try_from(body: AddItemRequest) -> Result<Self, ApiError> {
        let mut errors = Vec::new();
        let product_id = body.product_id.trim().parse::<ProductId>().ok();
        if product_id.is_none() {
            errors.push(FieldError::new(
                "product_id",
                ErrorCode::ValidationInvalidId,
                "product_id must be a product id (a UUID)",
            ));
        }
        let quantity = line_quantity("quantity", body.quantity, &mut errors);
        match (product_id, quantity) {
            (Some(product_id), Some(quantity)) if errors.is_empty() => Ok(Self { product_id, quantity }),
            _ => Err(ApiError::invalid(errors)),
        }
    }
}

impl TryFrom<ChangeQuantityRequest> for Quantity {
    type Error = ApiError;

    fn try_from(body: ChangeQuantityRequest) -> Result<Self, ApiError> {
        let mut errors = Vec::new();
        line_quantity("quantity", body.quantity, &mut errors).ok_or_else(|| ApiError::invalid(errors))
    }
}

/// A line quantity in `1..=MAX_LINE_QUANTITY`, or records why not under `field`.
pub(crate) fn line_quantity(field: &str, raw: i64, errors: &mut Vec<FieldError>) -> Option<Quantity> {
    match Quantity::new(raw).ok().filter(|_| raw <= MAX_LINE_QUANTITY) {
        Some(quantity) => Some(quantity),
        None => {
            errors.push(FieldError::new(
                field,
                ErrorCode::ValidationOutOfRange,
                format!("{field} must be 1 to {MAX_LINE_QUANTITY}"),
            ));
            None
        }
    }
}

/// A coupon code fit to look up: trimmed, 1-64 characters, else 400 naming `code`.
pub fn coupon_code(body: &ApplyCouponRequest) -> Result<String, ApiError> {
    let code = body.code.trim();
    if code.is_empty() {
        return Err(ApiError::field("code", ErrorCode::ValidationRequired, "code must not be empty"));
    }
    if code.chars().count() > MAX_CODE_CHARS {
        return Err(ApiError::field(
            "code",
            ErrorCode::ValidationTooLong,
            format!("code must be at most {MAX_CODE_CHARS} characters"),
        ));
    }
    Ok(code.to_owned())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn fields(error: ApiError) -> Vec<String> {
        error.errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn an_item_needs_a_product_id_and_1_to_1000_units() {
        let id = uuid::Uuid::now_v7().to_string();
        let item = NewItem::try_from(AddItemRequest { product_id: format!(" {id} "), quantity: 3 }).unwrap();
        assert_eq!((item.product_id.to_string(), item.quantity.get()), (id.clone(), 3));
        assert!(NewItem::try_from(AddItemRequest { product_id: id.clone(), quantity: 1000 }).is_ok());
        for bad in [0, -1, 1001, i64::MAX, i64::MIN] {
            let error = NewItem::try_from(AddItemRequest { product_id: id.clone(), quantity: bad }).unwrap_err();
            assert_eq!(fields(error), ["quantity"], "{bad}");
        }
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let error = NewItem::try_from(AddItemRequest { product_id: "not-an-id".into(), quantity: -5 }).unwrap_err();
        assert_eq!(error.status, axum::http::StatusCode::BAD_REQUEST);
        assert_eq!(fields(error), ["product_id", "quantity"]);
    }

    #[test]
    fn a_new_quantity_is_bounded_too() {
        assert_eq!(Quantity::try_from(ChangeQuantityRequest { quantity: 7 }).unwrap().get(), 7);
        assert_eq!(fields(Quantity::try_from(ChangeQuantityRequest { quantity: 0 }).unwrap_err()), ["quantity"]);
    }

    #[test]
    fn coupon_codes_are_trimmed_and_bounded() {
        assert_eq!(coupon_code(&ApplyCouponRequest { code: " save10 ".into() }).unwrap(), "save10");
        assert_eq!(fields(coupon_code(&ApplyCouponRequest { code: "  ".into() }).unwrap_err()), ["code"]);
        assert_eq!(fields(coupon_code(&ApplyCouponRequest { code: "x".repeat(65) }).unwrap_err()), ["code"]);
    }
}
