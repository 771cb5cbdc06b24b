//! The cart read endpoint: `GET /api/v1/cart/{userId}`, from the carts read model
//! (`emporium_projections::models::carts`), honouring `X-Emporium-Min-Position`.
//! A customer reads only their own cart (anyone else's is a 404); Admin and Manager
//! read anyone's. Layout: [`view`] (the response shape), [`get`] (the handler).

pub mod get;
pub mod view;

use axum::Router;
use axum::routing::get as get_route;

use crate::state::ReadState;

/// The cart routes.
pub fn router() -> Router<ReadState> {
    Router::new().route("/api/v1/cart/{userId}", get_route(get::get_cart))
}

/// The OpenAPI description of the cart read endpoint.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(get::get_cart),
    components(schemas(emporium_api_kit::cart_view::CartView, emporium_api_kit::cart_view::CartItemView)),
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
    fn the_openapi_document_lists_the_cart_route() {
        let doc = serde_json::to_value(super::CartApi::openapi()).unwrap();
        assert!(doc["paths"].as_object().unwrap().contains_key("/api/v1/cart/{userId}"));
    }
}
