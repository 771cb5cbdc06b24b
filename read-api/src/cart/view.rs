//! The cart as `GET /api/v1/cart/{userId}` shows it ([`CartView`], shared with the
//! cart write endpoints), built from a `carts` document.

use emporium_api_kit::cart_view::{CartItemView, CartView};
use emporium_api_kit::{ApiError, MoneyView};
use emporium_projections::models::carts::{CARTS, CartDoc};
use emporium_projections::models::timestamp;
use serde_json::Value;

use crate::document;

/// The view of a `carts` document.
pub fn from_doc(doc: Value) -> Result<CartView, ApiError> {
    let d: CartDoc = document::parse(CARTS, doc)?;
    let items = d
        .items
        .into_iter()
        .map(|item| CartItemView {
            id: item.id.to_string(),
            product_id: item.product_id.to_string(),
            sku: item.sku.as_str().to_owned(),
            name: item.name,
            quantity: item.quantity.get(),
            unit_price: MoneyView::from(&item.unit_price),
            line_total: MoneyView::from(&item.line_total),
        })
        .collect();
    Ok(CartView {
        id: d.customer_id.to_string(),
        customer_id: d.customer_id.to_string(),
        items,
        item_count: d.item_count,
        subtotal: d.subtotal.as_ref().map_or_else(MoneyView::empty_cart, MoneyView::from),
        discount: d.discount.as_ref().map_or_else(MoneyView::empty_cart, MoneyView::from),
        total: d.total.as_ref().map_or_else(MoneyView::empty_cart, MoneyView::from),
        coupon_code: d.coupon_code,
        updated_at: Some(timestamp(d.updated_at)),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;

    const C1: &str = "01936a6e-0000-7000-8000-0000000000c1";
    const L1: &str = "01936a6e-0000-7000-8000-0000000000a1";
    const P1: &str = "01936a6e-0000-7000-8000-0000000000b1";

    #[test]
    fn a_cart_document_becomes_the_cart_view() {
        let money = |amount| json!({"amount": amount, "currency": "EUR"});
        let doc = json!({
            "id": C1, "customer_id": C1, "cart_id": C1,
            "items": [{"id": L1, "product_id": P1, "sku": "TEE", "name": "Tee", "quantity": 2, "unit_price": money(1000), "line_total": money(2000)}],
            "item_count": 2, "subtotal": money(2000), "discount": money(200), "total": money(1800),
            "coupon_code": "SAVE10", "coupon": null, "last_order_id": null, "updated_at": "2025-01-01T00:00:00.000000Z"
        });
        let view = from_doc(doc).unwrap();
        assert_eq!((view.id.as_str(), view.items.len(), view.total.amount), (C1, 1, 1800));
        assert_eq!(view.items[0].line_total, MoneyView { amount: 2000, currency: "EUR".into() });
        assert_eq!(view.coupon_code.as_deref(), Some("SAVE10"));
    }

    #[test]
    fn an_emptied_cart_shows_zero_totals() {
        let doc = json!({"id": C1, "customer_id": C1, "cart_id": C1, "items": [], "item_count": 0,
            "subtotal": null, "discount": null, "total": null, "coupon_code": null, "updated_at": "2025-01-01T00:00:00.000000Z"});
        let view = from_doc(doc).unwrap();
        assert_eq!((view.subtotal.amount, view.total.currency.as_str()), (0, "USD"));
        assert_eq!(CartView::empty("c2").total, view.total);
    }
}
