//! An order as the API shows it, built from an `orders` document
//! (`emporium_projections::models::orders`).

use emporium_api_kit::ApiError;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::catalog::views::MoneyView;

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OrderLineView {
    /// The product.
    pub product_id: String,
    /// Its SKU.
    pub sku: String,
    /// Its name when ordered.
    pub name: String,
    /// Units.
    pub quantity: u32,
    /// Price per unit when ordered.
    pub unit_price: MoneyView,
    /// `unit_price * quantity`.
    pub line_total: MoneyView,
}

/// Where an order goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AddressView {
    /// The recipient.
    pub name: String,
    /// Street and number.
    pub line1: String,
    /// Anything else, or null.
    #[serde(default)]
    pub line2: Option<String>,
    /// City.
    pub city: String,
    /// Postal code.
    pub postal_code: String,
    /// ISO 3166-1 alpha-2 country code.
    pub country: String,
}

/// One step of an order's life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StatusChangeView {
    /// `pending`, `awaiting_payment`, `paid`, `confirmed`, `shipped`, `delivered`, `cancelled` or `refunded`.
    pub status: String,
    /// When (RFC 3339, UTC).
    pub at: String,
}

/// An order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OrderView {
    /// The order's id.
    pub id: String,
    /// The buyer.
    pub customer_id: String,
    /// Where it stands now (see `status_history` for how it got there).
    pub status: String,
    /// Every status it took, oldest first.
    pub status_history: Vec<StatusChangeView>,
    /// What was ordered.
    pub lines: Vec<OrderLineView>,
    /// The coupon used, or null.
    #[serde(default)]
    pub coupon_code: Option<String>,
    /// Sum of the line totals.
    pub subtotal: MoneyView,
    /// Taken off by the coupon.
    pub discount: MoneyView,
    /// What is charged.
    pub total: MoneyView,
    /// Where it goes.
    pub shipping_address: AddressView,
    /// The saved method's id or the reference of the token it is paid with (never a token or card number).
    pub payment_method: String,
    /// True once stock is reserved for every line.
    #[serde(default)]
    pub items_reserved: bool,
    /// The payment that paid it, or null.
    #[serde(default)]
    pub payment_id: Option<String>,
    /// What was paid.
    pub amount_paid: MoneyView,
    /// What was refunded.
    pub refunded_amount: MoneyView,
    /// Why the last payment failed, or null.
    #[serde(default)]
    pub payment_failure_reason: Option<String>,
    /// When an order awaiting payment is cancelled unless paid, or null.
    #[serde(default)]
    pub payment_deadline: Option<String>,
    /// The invoice number once confirmed, or null.
    #[serde(default)]
    pub invoice_number: Option<u64>,
    /// The carrier once shipped, or null.
    #[serde(default)]
    pub carrier: Option<String>,
    /// The tracking number once shipped, or null.
    #[serde(default)]
    pub tracking_number: Option<String>,
    /// Why it was cancelled, or null.
    #[serde(default)]
    pub cancellation_reason: Option<String>,
    /// When it was placed (RFC 3339, UTC).
    pub created_at: String,
    /// When it last changed (RFC 3339, UTC).
    pub updated_at: String,
}

impl OrderView {
    /// The view of an `orders` document (extra fields are ignored).
    pub fn from_doc(doc: Value) -> Result<Self, ApiError> {
        serde_json::from_value(doc).map_err(|error| {
            tracing::error!(collection = "orders", %error, "read-model document has an unexpected shape");
            ApiError::internal(&error)
        })
    }

    /// When the order entered `status` last, if it ever did.
    pub fn entered(&self, status: &str) -> Option<&str> {
        self.status_history.iter().rev().find(|c| c.status == status).map(|c| c.at.as_str())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests {
    use serde_json::{Value, json};

    use super::*;

    /// An `orders` document as the orders projector writes it.
    pub(crate) fn order_doc(status: &str) -> Value {
        let money = |amount| json!({"amount": amount, "currency": "EUR"});
        json!({
            "id": "o1", "customer_id": "c1", "status": status,
            "status_history": [{"status": "pending", "at": "2025-03-01T10:00:00.000000Z"}, {"status": status, "at": "2025-03-01T10:05:00.000000Z"}],
            "lines": [{"product_id": "p1", "sku": "TEE-1", "name": "Tee <b>bold</b>", "unit_price": money(1999), "quantity": 2, "line_total": money(3998)}],
            "coupon_code": "SAVE10", "coupon": {"code": "SAVE10", "discount": {"kind": "percent", "percent": 10}},
            "subtotal": money(3998), "discount": money(399), "total": money(3599),
            "shipping_address": {"name": "Ann & \"Co\"", "line1": "1 Main St", "line2": null, "city": "Berlin", "postal_code": "10115", "country": "DE"},
            "payment_method": "0196aaaa-0000-7000-8000-000000000000", "items_reserved": true, "payment_id": "pay-1",
            "amount_paid": money(3599), "payment_failure_reason": null, "payment_deadline": null, "invoice_number": 42,
            "carrier": null, "tracking_number": null, "cancellation_reason": null, "refunded_amount": money(0),
            "created_at": "2025-03-01T10:00:00.000000Z", "updated_at": "2025-03-01T10:05:00.000000Z"
        })
    }

    #[test]
    fn an_order_document_becomes_the_order_view() {
        let view = OrderView::from_doc(order_doc("confirmed")).unwrap();
        assert_eq!((view.status.as_str(), view.status_history.len(), view.invoice_number), ("confirmed", 2, Some(42)));
        assert_eq!(view.lines[0].line_total, MoneyView { amount: 3998, currency: "EUR".into() });
        assert_eq!(view.shipping_address.line2, None);
        assert_eq!(view.entered("confirmed"), Some("2025-03-01T10:05:00.000000Z"));
        assert_eq!(view.entered("shipped"), None);
        let json = serde_json::to_value(&view).unwrap();
        assert!(json.get("coupon").is_none(), "internal fields are not shown");
    }
}
