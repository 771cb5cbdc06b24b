//! The cart as the write endpoints answer it: the same shape as
//! `GET /api/v1/cart/{userId}`, worked out from the cart aggregate's state with the
//! domain's own `cart_totals`, plus the position of the write.

use chrono::SecondsFormat;
use emporium_api_kit::cart_view::{CartItemView, CartView};
use emporium_api_kit::{ApiError, MoneyView};
use emporium_domain::cart::{CartState, OpenCart, cart_totals};
use emporium_domain::ids::CustomerId;
use serde::Serialize;

/// The cart of `customer` as its state says (empty when it never existed).
pub fn from_state(customer: CustomerId, state: &CartState) -> Result<CartView, ApiError> {
    match state.cart() {
        Some(cart) => from_cart(cart),
        None => Ok(CartView::empty(&customer.to_string())),
    }
}

/// A cart priced by the domain's `cart_totals`.
pub fn from_cart(cart: &OpenCart) -> Result<CartView, ApiError> {
    let totals = cart_totals(cart).map_err(|e| ApiError::internal(&e))?;
    let items = cart
        .lines
        .iter()
        .enumerate()
        .map(|(index, line)| CartItemView {
            id: line.line_id.to_string(),
            product_id: line.product_id.to_string(),
            sku: line.sku.as_str().to_owned(),
            name: line.name.clone(),
            quantity: line.quantity.get(),
            unit_price: line.unit_price.into(),
            // cart_totals lists one total per line, in line order.
            line_total: totals.as_ref().and_then(|t| t.lines.get(index)).map_or(line.unit_price, |l| l.total).into(),
        })
        .collect();
    let (subtotal, discount, total) = match &totals {
        Some(t) => (t.subtotal.into(), t.discount.into(), t.total.into()),
        None => (MoneyView::empty_cart(), MoneyView::empty_cart(), MoneyView::empty_cart()),
    };
    Ok(CartView {
        id: cart.customer_id.to_string(),
        customer_id: cart.customer_id.to_string(),
        items,
        item_count: cart.lines.iter().map(|l| u64::from(l.quantity.get())).sum(),
        subtotal,
        discount,
        total,
        coupon_code: cart.coupon.as_ref().map(|c| c.code.clone()),
        updated_at: Some(cart.updated_at.to_rfc3339_opts(SecondsFormat::Micros, true)),
    })
}

/// What a cart write answers: the cart as it now is, the line written (if one was),
/// and the position to read it at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CartWritten {
    /// The cart after the write.
    #[serde(flatten)]
    pub cart: CartView,
    /// The line added or changed, when the write was about one line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_id: Option<String>,
    /// Global position of the last event written (send it as `X-Emporium-Min-Position`).
    pub position: u64,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use chrono::{TimeZone, Utc};
    use emporium_domain::cart::{CartCoupon, CartLine};
    use emporium_domain::discount::Discount;
    use emporium_domain::ids::{CartId, CartLineId, ProductId};
    use emporium_domain::money::{Currency, Money};
    use emporium_domain::values::{Quantity, Sku};
    use uuid::Uuid;

    use super::*;

    fn usd(amount: i64) -> Money {
        Money::new(amount, Currency::parse("USD").unwrap()).unwrap()
    }

    #[test]
    fn a_cart_shows_each_line_total_and_the_discounted_total() {
        let customer = Uuid::now_v7();
        let line = |price, quantity| CartLine {
            line_id: CartLineId::from_uuid(Uuid::now_v7()),
            product_id: ProductId::from_uuid(Uuid::now_v7()),
            sku: Sku::parse("TEE-1").unwrap(),
            name: "Tee".into(),
            unit_price: usd(price),
            quantity: Quantity::new(quantity).unwrap(),
        };
        let at = Utc.with_ymd_and_hms(2025, 1, 2, 3, 4, 5).unwrap();
        let cart = OpenCart {
            cart_id: CartId::from_uuid(customer),
            customer_id: CustomerId::from_uuid(customer),
            lines: vec![line(2000, 2), line(500, 1)],
            coupon: Some(CartCoupon {
                code: "SAVE10".into(),
                discount: Discount::Percent { percent: 10 },
                valid_from: at,
                valid_until: at,
            }),
            last_order_id: None,
            updated_at: at,
        };
        let view = from_cart(&cart).unwrap();
        assert_eq!(view.items[0].line_total, MoneyView { amount: 4000, currency: "USD".into() });
        assert_eq!((view.subtotal.amount, view.discount.amount, view.total.amount), (4500, 450, 4050));
        assert_eq!((view.item_count, view.coupon_code.as_deref()), (3, Some("SAVE10")));
        assert_eq!(view.updated_at.as_deref(), Some("2025-01-02T03:04:05.000000Z"));
        let json = serde_json::to_value(CartWritten { cart: view, item_id: None, position: 9 }).unwrap();
        assert_eq!((json["position"].as_u64(), json["items"].as_array().map(Vec::len)), (Some(9), Some(2)));
        assert!(json.get("item_id").is_none());
    }

    #[test]
    fn a_missing_cart_is_empty_with_zero_totals() {
        let customer = CustomerId::from_uuid(Uuid::now_v7());
        let view = from_state(customer, &CartState::Absent).unwrap();
        assert!(view.items.is_empty());
        assert_eq!(
            (view.id.clone(), view.total.amount, view.total.currency.as_str()),
            (customer.to_string(), 0, "USD")
        );
    }
}
