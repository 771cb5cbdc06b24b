//! What an invoice says, for the JSON answer and the HTML page alike: seller, buyer,
//! lines and totals, taken from the order's view once it is confirmed.

use emporium_api_kit::ApiError;
use emporium_api_kit::ErrorCode;
use serde::Serialize;

use super::view::{AddressView, OrderLineView, OrderView};
use emporium_api_kit::MoneyView;

/// Who sells.
pub const SELLER_NAME: &str = "Emporium";

/// The seller on an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SellerView {
    /// The shop's name.
    pub name: String,
}

/// The buyer on an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BuyerView {
    /// The customer's id.
    pub customer_id: String,
    /// The recipient's name from the shipping address.
    pub name: String,
    /// Where the goods go.
    pub shipping_address: AddressView,
}

/// An invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct InvoiceView {
    /// The invoice number as printed, e.g. `INV-000042`.
    pub invoice_number: String,
    /// The number alone.
    pub number: u64,
    /// The order invoiced.
    pub order_id: String,
    /// The order's status now.
    pub order_status: String,
    /// When the invoice was issued: when the order was confirmed (RFC 3339, UTC).
    pub issued_at: String,
    /// The date part of `issued_at` (YYYY-MM-DD).
    pub issued_date: String,
    /// Who sells.
    pub seller: SellerView,
    /// Who buys.
    pub buyer: BuyerView,
    /// What was sold.
    pub lines: Vec<OrderLineView>,
    /// Sum of the line totals.
    pub subtotal: MoneyView,
    /// The coupon used, or null.
    pub coupon_code: Option<String>,
    /// Taken off by the coupon.
    pub discount: MoneyView,
    /// What is charged.
    pub total: MoneyView,
    /// ISO 4217 code of every amount.
    pub currency: String,
    /// What was paid.
    pub amount_paid: MoneyView,
    /// What was refunded.
    pub refunded_amount: MoneyView,
}

impl InvoiceView {
    /// The invoice of an order, or 409 `order.not_invoiced` before confirmation.
    pub fn of(order: OrderView) -> Result<Self, ApiError> {
        let Some(number) = order.invoice_number else {
            return Err(ApiError::new(
                ErrorCode::OrderNotInvoiced,
                format!(
                    "order {} has no invoice yet: it is {}, and invoices are issued on confirmation",
                    order.id, order.status
                ),
            ));
        };
        let issued_at = order.entered("confirmed").unwrap_or(&order.updated_at).to_owned();
        Ok(Self {
            invoice_number: format!("INV-{number:06}"),
            number,
            order_id: order.id,
            order_status: order.status,
            issued_date: issued_at.chars().take(10).collect(),
            issued_at,
            seller: SellerView { name: SELLER_NAME.to_owned() },
            buyer: BuyerView {
                customer_id: order.customer_id,
                name: order.shipping_address.name.clone(),
                shipping_address: order.shipping_address,
            },
            lines: order.lines,
            subtotal: order.subtotal,
            coupon_code: order.coupon_code,
            discount: order.discount,
            currency: order.total.currency.clone(),
            total: order.total,
            amount_paid: order.amount_paid,
            refunded_amount: order.refunded_amount,
        })
    }
}
