//! `GET /api/v1/orders/{orderId}/invoice`: the invoice of a confirmed order, as JSON
//! or, with `Accept: text/html`, as a printable HTML page ([`super::invoice_html`]).
//! An order has an invoice once confirmed (it keeps it if later cancelled or
//! refunded); before that the answer is 409 `order.not_invoiced`.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header::{ACCEPT, CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use emporium_api_kit::envelope::ok;
use emporium_api_kit::position::MinPosition;
use emporium_api_kit::{ApiError, Caller, Envelope};
use serde::Serialize;

use super::get::reachable_order;
use super::invoice_html::render;
use super::view::{AddressView, OrderLineView, OrderView};
use crate::catalog::views::MoneyView;
use crate::state::ReadState;

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
            return Err(ApiError::conflict(
                "order.not_invoiced",
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

/// True when the client prefers HTML to JSON (`Accept: text/html` before any JSON type).
pub fn wants_html(headers: &HeaderMap) -> bool {
    let accept = headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(",")
        .to_ascii_lowercase();
    let position = |kind: &str| {
        accept
            .split(',')
            .map(|range| range.split(';').map(str::trim).collect::<Vec<_>>())
            .position(|parts| parts.first() == Some(&kind) && !parts.iter().any(|p| p.replace(' ', "") == "q=0"))
    };
    match (position("text/html"), position("application/json")) {
        (Some(html), Some(json)) => html < json,
        (Some(_), None) => true,
        _ => false,
    }
}

/// The invoice of a confirmed order.
#[utoipa::path(
    get,
    path = "/api/v1/orders/{orderId}/invoice",
    tag = "orders",
    params(
        ("orderId" = String, Path, description = "The order's id"),
        ("Accept" = Option<String>, Header, description = "`text/html` for a printable page; JSON otherwise"),
        ("X-Emporium-Min-Position" = Option<u64>, Header, description = "Wait until this position is applied"),
    ),
    responses(
        (status = 200, description = "The invoice: JSON in the envelope, or a printable HTML page", content(
            (Envelope<InvoiceView> = "application/json"),
            (String = "text/html"),
        )),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
        (status = 404, description = "No such order, or another customer's", body = Envelope<String>),
        (status = 409, description = "`order.not_invoiced`: the order is not confirmed yet", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(actor = %caller.actor()))]
pub async fn get_invoice(
    State(state): State<ReadState>,
    caller: Caller,
    min: MinPosition,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    state.caught_up(min).await?;
    let invoice = InvoiceView::of(reachable_order(&state, &caller, path).await?)?;
    if !wants_html(&headers) {
        return Ok(ok(invoice));
    }
    let mut response = render(&invoice).into_response();
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(response)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use axum::http::StatusCode;

    use super::*;
    use crate::orders::view::tests::order_doc;

    #[test]
    fn a_confirmed_order_has_an_invoice_issued_on_confirmation() {
        let invoice = InvoiceView::of(OrderView::from_doc(order_doc("confirmed")).unwrap()).unwrap();
        assert_eq!((invoice.invoice_number.as_str(), invoice.number), ("INV-000042", 42));
        assert_eq!(
            (invoice.issued_at.as_str(), invoice.issued_date.as_str()),
            ("2025-03-01T10:05:00.000000Z", "2025-03-01")
        );
        assert_eq!(
            (invoice.currency.as_str(), invoice.total.amount, invoice.buyer.name.as_str()),
            ("EUR", 3599, "Ann & \"Co\"")
        );
    }

    #[test]
    fn an_order_without_an_invoice_number_is_not_invoiced() {
        let mut doc = order_doc("pending");
        doc["invoice_number"] = serde_json::Value::Null;
        let error = InvoiceView::of(OrderView::from_doc(doc).unwrap()).unwrap_err();
        assert_eq!((error.status, error.code.as_str()), (StatusCode::CONFLICT, "order.not_invoiced"));
    }

    #[test]
    fn html_is_chosen_only_when_preferred() {
        let accept = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(ACCEPT, HeaderValue::from_str(value).unwrap());
            wants_html(&headers)
        };
        assert!(accept("text/html"));
        assert!(accept("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"));
        assert!(!accept("application/json, text/html"));
        assert!(!accept("*/*"));
        assert!(!accept("text/html;q=0"));
        assert!(!wants_html(&HeaderMap::new()));
    }
}
