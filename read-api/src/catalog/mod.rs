//! The catalog read endpoints: product listing, search and detail, categories
//! (guests may browse), and single coupons for staff.
//!
//! Products and categories come from the catalog read model
//! (`emporium_projections::models::catalog`) and honour `X-Emporium-Min-Position`;
//! coupons are folded from their streams. Layout: [`params`] (product query strings
//! into read-store queries), [`views`] (response shapes), [`products`],
//! [`categories`], [`coupons`]. Paging and money are shared by every area:
//! [`crate::paging`], [`crate::money_view`].

pub mod categories;
pub mod coupons;
pub mod params;
pub mod products;
pub mod views;

use axum::Router;
use axum::routing::get;

use crate::state::ReadState;

/// The catalog routes.
pub fn router() -> Router<ReadState> {
    Router::new()
        .route("/api/v1/products", get(products::list_products))
        .route("/api/v1/products/search", get(products::search_products))
        .route("/api/v1/products/{id}", get(products::get_product))
        .route("/api/v1/categories", get(categories::list_categories))
        .route("/api/v1/categories/{id}", get(categories::get_category))
        .route("/api/v1/coupons/{id}", get(coupons::get_coupon))
}

/// The OpenAPI description of the catalog read endpoints.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        products::list_products,
        products::search_products,
        products::get_product,
        categories::list_categories,
        categories::get_category,
        coupons::get_coupon,
    ),
    components(schemas(emporium_api_kit::MoneyView, views::ProductView, views::CategoryView, coupons::CouponView)),
    tags((name = "catalog", description = "Products, categories, stock and coupons"))
)]
pub struct CatalogApi;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use utoipa::OpenApi;

    const PATHS: &[&str] = &[
        "/api/v1/products",
        "/api/v1/products/search",
        "/api/v1/products/{id}",
        "/api/v1/categories",
        "/api/v1/categories/{id}",
        "/api/v1/coupons/{id}",
    ];

    #[test]
    fn the_openapi_document_lists_every_catalog_route() {
        let doc = serde_json::to_value(super::CatalogApi::openapi()).unwrap();
        let paths = doc["paths"].as_object().unwrap();
        for path in PATHS {
            assert!(paths.contains_key(*path), "{path} missing from {:?}", paths.keys());
        }
    }
}
