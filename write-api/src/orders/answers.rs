//! What the order write endpoints answer in `data`.

use serde::Serialize;

use emporium_api_kit::MoneyView;

/// An order placed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct OrderPlaced {
    /// The order's id.
    pub id: String,
    /// Always `pending`: stock and payment are handled next.
    pub status: String,
    /// The buyer.
    pub customer_id: String,
    /// Lines ordered.
    pub line_count: usize,
    /// Sum of the line totals.
    pub subtotal: MoneyView,
    /// Taken off by the coupon.
    pub discount: MoneyView,
    /// What will be charged.
    pub total: MoneyView,
    /// The coupon used, or null.
    pub coupon_code: Option<String>,
    /// Global position of the last event written (send it as `X-Emporium-Min-Position`).
    pub position: u64,
}

/// An order's status after a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct OrderStatusChanged {
    /// The order's id.
    pub id: String,
    /// Its status now (`shipped`, `delivered`, `cancelled`).
    pub status: String,
    /// Why it was cancelled (cancellations only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancellation_reason: Option<String>,
    /// True when money was paid and is being refunded (cancellations only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refund_due: Option<bool>,
    /// Global position of the last event written.
    pub position: u64,
}
