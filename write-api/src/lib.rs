//! The command side over HTTP: an axum `Router` whose handlers turn request bodies
//! into domain commands (`TryFrom` DTOs), run them through the command handler and
//! answer in the envelope with the global position of the last event written.
//!
//! Layout: [`state`] (what handlers share), [`command`] (running a command for a
//! request), [`errors`] (domain errors to API errors), and one module per area with
//! its own `router()`: [`users`], [`catalog`], [`cart`], [`orders`], [`payments`], [`notifications`].

pub mod cart;
pub mod catalog;
pub mod command;
pub mod errors;
pub mod input;
pub mod lookups;
pub mod notifications;
pub mod orders;
pub mod payments;
pub mod state;
pub mod users;

use axum::Router;

pub use state::{AuthSettings, WriteState};

/// Every write endpoint, under `/api/v1`.
pub fn router(state: WriteState) -> Router {
    Router::new()
        .merge(users::router())
        .merge(catalog::router())
        .merge(cart::router())
        .merge(orders::router())
        .merge(payments::router())
        .merge(notifications::router())
        .with_state(state)
}

/// The OpenAPI description of every write endpoint.
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
