//! The query side over HTTP: health, and catalog, cart, order and profile reads from
//! the read models, each able to wait for the caller's own writes
//! (`X-Emporium-Min-Position`); order status as Server-Sent Events.
//!
//! Layout: [`health`], [`state`], one module per area with its own `router()`:
//! [`users`], [`catalog`], [`cart`], [`orders`], [`payments`], [`notifications`];
//! and what every area shares: [`paging`] (page parameters and the page answered), `query_param` (checking
//! query-string values) and `document` (reading a stored document as its
//! projector's type, `emporium_projections::models`).

pub mod cart;
pub mod catalog;
mod document;
pub mod health;
pub mod notifications;
pub mod orders;
pub mod paging;
pub mod payments;
mod query_param;
pub mod state;
pub mod users;

use axum::Router;

pub use state::ReadState;

/// Every read endpoint, under `/api/v1`.
pub fn router(state: ReadState) -> Router {
    Router::new()
        .merge(users::router())
        .merge(catalog::router())
        .merge(cart::router())
        .merge(orders::router())
        .merge(payments::router())
        .merge(notifications::router())
        .with_state(state)
}

/// The OpenAPI description of every read endpoint.
pub fn openapi() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    let mut doc = users::UsersApi::openapi();
    doc.merge(catalog::CatalogApi::openapi());
    doc.merge(cart::CartApi::openapi());
    doc.merge(orders::OrdersApi::openapi());
    doc.merge(payments::PaymentsApi::openapi());
    doc.merge(notifications::NotificationsApi::openapi());
    doc
}
