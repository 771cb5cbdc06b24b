//! The catalog write endpoints (Admin/Manager only): products, categories, stock
//! and coupons.
//!
//! Every handler checks the caller's role before reading the body ([`staff`]),
//! turns the body into checked domain values collecting every field error
//! ([`input`] and the `*_input`/request types), runs the aggregate's own rules
//! before any side effect ([`precheck`]), claims unique keys ([`unique`]: SKU,
//! coupon code, sibling category name), and answers with the position of the last
//! event written.
//!
//! Layout: [`products`] (create, change, discontinue), [`stock`], [`categories`],
//! [`coupons`]; [`refusals`] maps the catalog aggregates' errors to HTTP;
//! [`answers`] holds the response shapes.

pub mod answers;
pub mod categories;
pub mod claims;
pub mod coupons;
mod lookups;
mod path_ids;
pub mod precheck;
pub mod product_input;
pub mod products;
pub mod refusals;
pub mod staff;
pub mod stock;

use axum::Router;
use axum::routing::{post, put};

use crate::state::WriteState;

/// The catalog routes.
pub fn router() -> Router<WriteState> {
    Router::new()
        .route("/api/v1/products", post(products::create_product))
        .route("/api/v1/products/{id}", put(products::update_product).delete(products::discontinue_product))
        .route("/api/v1/products/{id}/stock", post(stock::change_stock))
        .route("/api/v1/categories", post(categories::create_category))
        .route("/api/v1/coupons", post(coupons::create_coupon))
}

/// The OpenAPI description of the catalog write endpoints.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        products::create_product,
        products::update_product,
        products::discontinue_product,
        stock::change_stock,
        categories::create_category,
        coupons::create_coupon,
    ),
    components(schemas(
        crate::input::MoneyInput,
        product_input::CreateProductRequest,
        product_input::UpdateProductRequest,
        stock::StockRequest,
        categories::CreateCategoryRequest,
        coupons::CreateCouponRequest,
        coupons::CouponKind,
        answers::ProductWritten,
        answers::ProductRemoved,
        answers::CategoryWritten,
        answers::StockChanged,
        answers::CouponWritten,
    )),
    tags((name = "catalog", description = "Products, categories, stock and coupons"))
)]
pub struct CatalogApi;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use utoipa::OpenApi;

    const PATHS: &[&str] = &[
        "/api/v1/products",
        "/api/v1/products/{id}",
        "/api/v1/products/{id}/stock",
        "/api/v1/categories",
        "/api/v1/coupons",
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
