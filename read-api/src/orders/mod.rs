//! The order read endpoints: one order, a customer's history, the invoice (JSON or
//! HTML) and the live status feed (Server-Sent Events). A customer reaches only
//! their own orders (anyone else's is a 404); Admin and Manager reach every order.
//!
//! Orders come from the orders read model (`emporium_projections::models::orders`)
//! and honour `X-Emporium-Min-Position`; the live feed follows the order's own event
//! stream. Layout: [`view`] (the order's shape), [`get`] (by id, by customer),
//! [`invoice`] with [`invoice_view`] and [`invoice_html`], [`events`] with [`follow`].

pub mod events;
pub mod follow;
pub mod get;
pub mod invoice;
pub mod invoice_html;
pub mod invoice_view;
pub mod view;

use axum::Router;
use axum::routing::get as get_route;

use crate::state::ReadState;

/// The orders routes.
pub fn router() -> Router<ReadState> {
    Router::new()
        .route("/api/v1/orders/{orderId}", get_route(get::get_order))
        .route("/api/v1/orders/user/{userId}", get_route(get::list_user_orders))
        .route("/api/v1/orders/{orderId}/invoice", get_route(invoice::get_invoice))
        .route("/api/v1/orders/{orderId}/events", get_route(events::order_events))
}

/// The OpenAPI description of the order read endpoints.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(get::get_order, get::list_user_orders, invoice::get_invoice, events::order_events),
    components(schemas(
        view::OrderView,
        view::OrderLineView,
        view::AddressView,
        view::StatusChangeView,
        invoice_view::InvoiceView,
        invoice_view::SellerView,
        invoice_view::BuyerView,
    )),
    tags((name = "orders", description = "Placing, shipping and cancelling orders"))
)]
pub struct OrdersApi;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use utoipa::OpenApi;

    #[test]
    fn the_routes_do_not_conflict() {
        // axum panics on conflicting routes when they are added.
        let _ = super::router();
    }

    #[test]
    fn the_openapi_document_lists_every_order_read_route() {
        let doc = serde_json::to_value(super::OrdersApi::openapi()).unwrap();
        let paths = doc["paths"].as_object().unwrap();
        for path in [
            "/api/v1/orders/{orderId}",
            "/api/v1/orders/user/{userId}",
            "/api/v1/orders/{orderId}/invoice",
            "/api/v1/orders/{orderId}/events",
        ] {
            assert!(paths.contains_key(path), "{path} missing from {:?}", paths.keys());
        }
    }
}
