//! `GET /api/v1/orders/{orderId}/invoice`: the invoice of a confirmed order, as JSON
//! or, with `Accept: text/html`, as a printable HTML page ([`super::invoice_html`]).
//! An order has an invoice once confirmed (it keeps it if later cancelled or
//! refunded); before that the answer is 409 `order.not_invoiced`.

use super::get::reachable_order;
use super::invoice_html::render;
use super::invoice_view::InvoiceView;
use crate::state::ReadState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header::{ACCEPT, CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use emporium_api_kit::envelope::ok;
use emporium_api_kit::position::MinPosition;
use emporium_api_kit::{ApiError, Caller, Envelope};

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
    use crate::orders::view::OrderView;
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
