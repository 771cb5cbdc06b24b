//! The cart as both APIs answer it: `GET /api/v1/cart/{userId}` builds it from the
//! `carts` read model, the cart write endpoints from the cart aggregate's state; one
//! shape, declared once.

use serde::Serialize;

use crate::MoneyView;

/// One line of a cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CartItemView {
    /// The line's id: the `{itemId}` of `PUT`/`DELETE /api/v1/cart/items/{itemId}`.
    pub id: String,
    /// The product.
    pub product_id: String,
    /// Its SKU.
    pub sku: String,
    /// Its name when added.
    pub name: String,
    /// Units.
    pub quantity: u32,
    /// Price per unit when added.
    pub unit_price: MoneyView,
    /// `unit_price * quantity`.
    pub line_total: MoneyView,
}

/// A customer's cart with its prices worked out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CartView {
    /// The cart's id (the customer's id: one cart per customer).
    pub id: String,
    /// The owner.
    pub customer_id: String,
    /// The lines, in the order they were added.
    pub items: Vec<CartItemView>,
    /// Units over all lines.
    pub item_count: u64,
    /// Sum of the line totals.
    pub subtotal: MoneyView,
    /// Taken off by the coupon.
    pub discount: MoneyView,
    /// `subtotal - discount`: what checkout charges.
    pub total: MoneyView,
    /// The coupon applied, upper-cased, or null.
    pub coupon_code: Option<String>,
    /// When the cart last changed (RFC 3339, UTC), or null for a cart never used.
    pub updated_at: Option<String>,
}

impl CartView {
    /// An empty cart of `customer` (a cart never used), with zero totals.
    pub fn empty(customer: &str) -> Self {
        Self {
            id: customer.to_owned(),
            customer_id: customer.to_owned(),
            items: Vec::new(),
            item_count: 0,
            subtotal: MoneyView::empty_cart(),
            discount: MoneyView::empty_cart(),
            total: MoneyView::empty_cart(),
            coupon_code: None,
            updated_at: None,
        }
    }
}
