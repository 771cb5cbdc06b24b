//! The facts a cart records.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::discount::Discount;
use crate::event::DomainEvent;
use crate::ids::{CartId, CartLineId, CustomerId, OrderId, ProductId};
use crate::money::Money;
use crate::values::{Quantity, Sku};

/// Everything that can happen to a cart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "event_type", content = "data")]
pub enum CartEvent {
    /// Units of a product were added, in a new line or merged into the product's line.
    CartItemAdded(CartItemAdded),
    /// A line's quantity was set.
    CartItemQuantityChanged(CartItemQuantityChanged),
    /// A line was removed.
    CartItemRemoved(CartItemRemoved),
    /// A coupon was applied, replacing any earlier one.
    CartCouponApplied(CartCouponApplied),
    /// The coupon was removed.
    CartCouponRemoved(CartCouponRemoved),
    /// Every line and the coupon were removed.
    CartCleared(CartCleared),
    /// The contents became an order; the cart is empty again.
    CartCheckedOut(CartCheckedOut),
}

impl DomainEvent for CartEvent {
    fn event_type(&self) -> &'static str {
        match self {
            CartEvent::CartItemAdded(_) => "CartItemAdded",
            CartEvent::CartItemQuantityChanged(_) => "CartItemQuantityChanged",
            CartEvent::CartItemRemoved(_) => "CartItemRemoved",
            CartEvent::CartCouponApplied(_) => "CartCouponApplied",
            CartEvent::CartCouponRemoved(_) => "CartCouponRemoved",
            CartEvent::CartCleared(_) => "CartCleared",
            CartEvent::CartCheckedOut(_) => "CartCheckedOut",
        }
    }
}

/// Units of a product were added to a cart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CartItemAdded {
    /// The cart.
    pub cart_id: CartId,
    /// Its owner.
    pub customer_id: CustomerId,
    /// The line: new, or the product's existing line.
    pub line_id: CartLineId,
    /// The product.
    pub product_id: ProductId,
    /// Its SKU.
    pub sku: Sku,
    /// Its name when added.
    pub name: String,
    /// Its price when added; the line takes this price.
    pub unit_price: Money,
    /// Units added by this event.
    pub quantity: Quantity,
    /// Units in the line after this event.
    pub line_quantity: Quantity,
    /// When.
    pub at: DateTime<Utc>,
}

/// A line's quantity was set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CartItemQuantityChanged {
    /// The cart.
    pub cart_id: CartId,
    /// The line.
    pub line_id: CartLineId,
    /// The product in the line.
    pub product_id: ProductId,
    /// The new quantity.
    pub quantity: Quantity,
    /// When.
    pub at: DateTime<Utc>,
}

/// A line was removed from a cart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CartItemRemoved {
    /// The cart.
    pub cart_id: CartId,
    /// The line.
    pub line_id: CartLineId,
    /// The product that was in the line.
    pub product_id: ProductId,
    /// When.
    pub at: DateTime<Utc>,
}

/// A coupon was applied to a cart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CartCouponApplied {
    /// The cart.
    pub cart_id: CartId,
    /// The normalised (upper-case) code.
    pub code: String,
    /// Its discount.
    pub discount: Discount,
    /// Valid from this instant on.
    pub valid_from: DateTime<Utc>,
    /// Valid before this instant.
    pub valid_until: DateTime<Utc>,
    /// When.
    pub at: DateTime<Utc>,
}

/// The coupon was removed from a cart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CartCouponRemoved {
    /// The cart.
    pub cart_id: CartId,
    /// The code removed.
    pub code: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// Every line and the coupon were removed from a cart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CartCleared {
    /// The cart.
    pub cart_id: CartId,
    /// When.
    pub at: DateTime<Utc>,
}

/// A cart's contents became an order; the cart is empty afterwards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CartCheckedOut {
    /// The cart.
    pub cart_id: CartId,
    /// Its owner.
    pub customer_id: CustomerId,
    /// The order to create.
    pub order_id: OrderId,
    /// The lines, with their totals.
    pub lines: Vec<CartCheckedOutLine>,
    /// The coupon applied, if any.
    pub coupon: Option<CartCheckedOutCoupon>,
    /// Sum of the line totals.
    pub subtotal: Money,
    /// Taken off by the coupon.
    pub discount: Money,
    /// `subtotal - discount`.
    pub total: Money,
    /// When.
    pub at: DateTime<Utc>,
}

/// One line of a checked-out cart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CartCheckedOutLine {
    /// The line.
    pub line_id: CartLineId,
    /// The product.
    pub product_id: ProductId,
    /// Its SKU.
    pub sku: Sku,
    /// Its name.
    pub name: String,
    /// The price per unit.
    pub unit_price: Money,
    /// Units.
    pub quantity: Quantity,
    /// `unit_price * quantity`.
    pub line_total: Money,
}

/// The coupon of a checked-out cart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CartCheckedOutCoupon {
    /// The normalised code.
    pub code: String,
    /// Its discount.
    pub discount: Discount,
}
