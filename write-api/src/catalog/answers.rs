//! What the catalog write endpoints answer in `data`: the id written and the global
//! position of the last event (read-your-writes), plus a few facts worth echoing.

use serde::Serialize;

/// A product created or changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ProductWritten {
    /// The product's id.
    pub id: String,
    /// Its SKU, upper-cased.
    pub sku: String,
    /// Global position of the last event written (send it as `X-Emporium-Min-Position`).
    pub position: u64,
}

/// A product discontinued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ProductRemoved {
    /// The product's id.
    pub id: String,
    /// Always true: the product is no longer listed or sold.
    pub discontinued: bool,
    /// Global position of the last event written.
    pub position: u64,
}

/// A category created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CategoryWritten {
    /// The category's id.
    pub id: String,
    /// Its name, trimmed.
    pub name: String,
    /// The parent category's id, if any.
    pub parent_id: Option<String>,
    /// Global position of the last event written.
    pub position: u64,
}

/// Stock after a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StockChanged {
    /// The product.
    pub product_id: String,
    /// Its SKU (the inventory stream is `inventory-<SKU>`).
    pub sku: String,
    /// The signed change applied.
    pub quantity: i64,
    /// Units physically held (reserved ones included).
    pub on_hand: u64,
    /// Units held for unpaid orders.
    pub reserved: u64,
    /// Units that can be sold: on hand minus reserved.
    pub available: u64,
    /// Global position of the last event written.
    pub position: u64,
}

/// A coupon created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CouponWritten {
    /// The coupon's id.
    pub id: String,
    /// The code shoppers type, upper-cased.
    pub code: String,
    /// Global position of the last event written.
    pub position: u64,
}
