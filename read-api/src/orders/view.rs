//! An order as the API shows it, built from an `orders` document
//! ([`OrderDoc`], `emporium_projections::models::orders`).

use emporium_api_kit::ApiError;
use emporium_domain::order::{PricedOrderLine, ShippingAddress};
use emporium_projections::models::orders::{ORDERS, OrderDoc, StatusChange};
use emporium_projections::models::timestamp;
use serde::Serialize;
use serde_json::Value;

use crate::document;
use emporium_api_kit::MoneyView;

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AddressView {
    /// The recipient.
    pub name: String,
    /// Street and number.
    pub line1: String,
    /// Anything else, or null.
    pub line2: Option<String>,
    /// City.
    pub city: String,
    /// Postal code.
    pub postal_code: String,
    /// ISO 3166-1 alpha-2 country code.
    pub country: String,
}

/// One step of an order's life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StatusChangeView {
    /// `pending`, `awaiting_payment`, `paid`, `confirmed`, `shipped`, `delivered`, `cancelled` or `refunded`.
    pub status: String,
    /// When (RFC 3339, UTC).
    pub at: String,
}

/// An order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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
    // Optional in the published OpenAPI document; it stays so.
    #[schema(required = false)]
    pub items_reserved: bool,
    /// The payment that paid it, or null.
    pub payment_id: Option<String>,
    /// What was paid.
    pub amount_paid: MoneyView,
    /// What was refunded.
    pub refunded_amount: MoneyView,
    /// Why the last payment failed, or null.
    pub payment_failure_reason: Option<String>,
    /// When an order awaiting payment is cancelled unless paid, or null.
    pub payment_deadline: Option<String>,
    /// The invoice number once confirmed, or null.
    pub invoice_number: Option<u64>,
    /// The carrier once shipped, or null.
    pub carrier: Option<String>,
    /// The tracking number once shipped, or null.
    pub tracking_number: Option<String>,
    /// Why it was cancelled, or null.
    pub cancellation_reason: Option<String>,
    /// When it was placed (RFC 3339, UTC).
    pub created_at: String,
    /// When it last changed (RFC 3339, UTC).
    pub updated_at: String,
}

impl OrderView {
    /// The view of an `orders` document (internal fields are left out).
    pub fn from_doc(doc: Value) -> Result<Self, ApiError> {
        let d: OrderDoc = document::parse(ORDERS, doc)?;
        Ok(Self {
            id: d.id.to_string(),
            customer_id: d.customer_id.to_string(),
            status: d.status.as_str().to_owned(),
            status_history: d.status_history.iter().map(StatusChangeView::from).collect(),
            lines: d.lines.iter().map(OrderLineView::from).collect(),
            coupon_code: d.coupon_code,
            subtotal: MoneyView::from(&d.subtotal),
            discount: MoneyView::from(&d.discount),
            total: MoneyView::from(&d.total),
            shipping_address: AddressView::from(d.shipping_address),
            payment_method: d.payment_method,
            items_reserved: d.items_reserved,
            payment_id: d.payment_id.map(|id| id.to_string()),
            amount_paid: MoneyView::from(&d.amount_paid),
            refunded_amount: MoneyView::from(&d.refunded_amount),
            payment_failure_reason: d.payment_failure_reason,
            payment_deadline: d.payment_deadline.map(timestamp),
            invoice_number: d.invoice_number,
            carrier: d.carrier,
            tracking_number: d.tracking_number,
            cancellation_reason: d.cancellation_reason,
            created_at: timestamp(d.created_at),
            updated_at: timestamp(d.updated_at),
        })
    }

    /// When the order entered `status` last, if it ever did.
    pub fn entered(&self, status: &str) -> Option<&str> {
        self.status_history.iter().rev().find(|c| c.status == status).map(|c| c.at.as_str())
    }
}

impl From<&PricedOrderLine> for OrderLineView {
    fn from(line: &PricedOrderLine) -> Self {
        Self {
            product_id: line.product_id.to_string(),
            sku: line.sku.as_str().to_owned(),
            name: line.name.clone(),
            quantity: line.quantity.get(),
            unit_price: MoneyView::from(&line.unit_price),
            line_total: MoneyView::from(&line.line_total),
        }
    }
}

impl From<ShippingAddress> for AddressView {
    fn from(address: ShippingAddress) -> Self {
        Self {
            name: address.name,
            line1: address.line1,
            line2: address.line2,
            city: address.city,
            postal_code: address.postal_code,
            country: address.country.as_str().to_owned(),
        }
    }
}

impl From<&StatusChange> for StatusChangeView {
    fn from(change: &StatusChange) -> Self {
        Self { status: change.status.as_str().to_owned(), at: timestamp(change.at) }
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
            "id": "0196aaaa-0000-7000-8000-0000000000a1", "customer_id": "0196aaaa-0000-7000-8000-0000000000c1", "status": status,
            "status_history": [{"status": "pending", "at": "2025-03-01T10:00:00.000000Z"}, {"status": status, "at": "2025-03-01T10:05:00.000000Z"}],
            "lines": [{"product_id": "0196aaaa-0000-7000-8000-0000000000b1", "sku": "TEE-1", "name": "Tee <b>bold</b>", "unit_price": money(1999), "quantity": 2, "line_total": money(3998)}],
            "coupon_code": "SAVE10", "coupon": {"code": "SAVE10", "discount": {"kind": "percent", "percent": 10}},
            "subtotal": money(3998), "discount": money(399), "total": money(3599),
            "shipping_address": {"name": "Ann & \"Co\"", "line1": "1 Main St", "line2": null, "city": "Berlin", "postal_code": "10115", "country": "DE"},
            "payment_method": "0196aaaa-0000-7000-8000-000000000000", "items_reserved": true, "payment_id": "0196aaaa-0000-7000-8000-0000000000d1",
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
