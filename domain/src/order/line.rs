//! The lines and coupon an order is placed with, and the lines it records.

use serde::{Deserialize, Serialize};

use crate::discount::Discount;
use crate::ids::ProductId;
use crate::money::Money;
use crate::values::{Quantity, Sku};

/// A line as the caller asks for it, at the product's current price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OrderLine {
    /// The product.
    pub product_id: ProductId,
    /// Its SKU.
    pub sku: Sku,
    /// Its name, 1-200 characters.
    pub name: String,
    /// Its price per unit.
    pub unit_price: Money,
    /// Units.
    pub quantity: Quantity,
}

/// A line as the order records it, with its total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PricedOrderLine {
    /// The product.
    pub product_id: ProductId,
    /// Its SKU.
    pub sku: Sku,
    /// Its name.
    pub name: String,
    /// Its price per unit.
    pub unit_price: Money,
    /// Units.
    pub quantity: Quantity,
    /// `unit_price * quantity`.
    pub line_total: Money,
}

/// The coupon an order was placed with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OrderCoupon {
    /// The code (normalised to upper case when the order is created).
    pub code: String,
    /// Its discount.
    pub discount: Discount,
}
