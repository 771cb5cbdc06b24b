//! The cart write endpoints: add, change and remove items, clear the cart, apply
//! and remove a coupon. Every customer has one cart whose aggregate id is the
//! customer id (`cart-<customer id>`), so no lookup is needed to find it.
//!
//! Each handler checks the body ([`input`]), looks up the product, stock or coupon
//! facts the command needs from their own streams ([`lookups`]), runs the cart
//! command and answers with the cart as it now is ([`view`]) plus the position of
//! the last event written. Layout: [`items`] (add, change, remove), [`clear`],
//! [`coupon`] (apply, remove); [`refusals`] maps `CartError` to HTTP.

pub mod clear;
pub mod coupon;
pub mod input;
pub mod items;
pub mod refusals;
pub mod view;

use axum::Router;
use axum::routing::{delete, post, put};

use crate::state::WriteState;

/// The cart routes.
pub fn router() -> Router<WriteState> {
    Router::new()
        .route("/api/v1/cart/items", post(items::add_item))
        .route("/api/v1/cart/items/{itemId}", put(items::change_quantity).delete(items::remove_item))
        .route("/api/v1/cart/{userId}/clear", delete(clear::clear_cart))
        .route("/api/v1/cart/apply-coupon", post(coupon::apply_coupon))
        .route("/api/v1/cart/coupon", delete(coupon::remove_coupon))
}

/// The OpenAPI description of the cart write endpoints.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(items::add_item, items::change_quantity, items::remove_item, clear::clear_cart, coupon::apply_coupon, coupon::remove_coupon),
    components(schemas(
        input::AddItemRequest,
        input::ChangeQuantityRequest,
        input::ApplyCouponRequest,
        emporium_api_kit::MoneyView,
        emporium_api_kit::cart_view::CartItemView,
        emporium_api_kit::cart_view::CartView,
        view::CartWritten,
    )),
    tags((name = "cart", description = "Each customer's shopping cart"))
)]
pub struct CartApi;

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
    fn the_openapi_document_lists_every_cart_write_route() {
        let doc = serde_json::to_value(super::CartApi::openapi()).unwrap();
        let paths = doc["paths"].as_object().unwrap();
        for path in [
            "/api/v1/cart/items",
            "/api/v1/cart/items/{itemId}",
            "/api/v1/cart/{userId}/clear",
            "/api/v1/cart/apply-coupon",
            "/api/v1/cart/coupon",
        ] {
            assert!(paths.contains_key(path), "{path} missing from {:?}", paths.keys());
        }
    }
}
