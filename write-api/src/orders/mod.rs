//! The order write endpoints: place an order (from the cart or explicit lines),
//! ship or deliver it (staff), cancel it (its owner or staff).
//!
//! Layout: [`input`] (the order body and its checks), [`payment`] (saved methods
//! and provider tokens, kept out of the log), [`from_cart`] and [`from_lines`] (where
//! the lines come from), [`ids`] (deterministic ids that make retries safe),
//! [`place`], [`status`], [`cancel`] (the handlers), [`answers`] (response shapes);
//! [`refusals`] maps `OrderError` to HTTP.

pub mod answers;
pub mod cancel;
pub(crate) mod from_cart;
pub(crate) mod from_lines;
pub mod ids;
pub mod input;
pub mod payment;
pub mod place;
pub mod refusals;
pub mod status;

use axum::Router;
use axum::routing::{post, put};

use crate::state::WriteState;

/// The orders routes.
pub fn router() -> Router<WriteState> {
    Router::new()
        .route("/api/v1/orders", post(place::place_order))
        .route("/api/v1/orders/{orderId}/status", put(status::update_status))
        .route("/api/v1/orders/{orderId}/cancel", post(cancel::cancel_order))
}

/// The OpenAPI description of the order write endpoints.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(place::place_order, status::update_status, cancel::cancel_order),
    components(schemas(
        input::PlaceOrderRequest,
        input::AddressRequest,
        input::LineRequest,
        status::StatusUpdateRequest,
        cancel::CancelRequest,
        answers::OrderPlaced,
        answers::OrderStatusChanged,
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
    fn the_openapi_document_lists_every_order_write_route() {
        let doc = serde_json::to_value(super::OrdersApi::openapi()).unwrap();
        let paths = doc["paths"].as_object().unwrap();
        for path in ["/api/v1/orders", "/api/v1/orders/{orderId}/status", "/api/v1/orders/{orderId}/cancel"] {
            assert!(paths.contains_key(path), "{path} missing from {:?}", paths.keys());
        }
    }
}
