//! The read models, one projector each, with documents shaped for the HTTP API
//! (snake_case fields, money as `{amount, currency}` in minor units, timestamps as
//! fixed-width RFC 3339 UTC so they sort as text):
//! - [`catalog::CatalogProjector`]: `products` (with category name and stock) and
//!   `categories`;
//! - [`inventory::InventoryProjector`]: `inventory` keyed by SKU;
//! - [`carts::CartsProjector`]: `carts` keyed by customer id;
//! - [`customers::CustomersProjector`]: `customers` (profiles) keyed by customer id;
//! - [`orders::OrdersProjector`]: `orders` keyed by order id, queryable by `customer_id`.
//! - [`payments::PaymentsProjector`]: `payments` keyed by payment id and
//!   `payment_methods` keyed by saved method id;
//! - [`notifications::NotificationsProjector`] writes `notifications` (delivery
//!   histories) keyed by notification id, queryable by `customer_id`.

pub mod carts;
pub mod catalog;
pub mod customers;
#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod fixtures;
pub mod inventory;
pub mod notifications;
pub mod orders;
pub mod payments;
mod render;

pub use render::timestamp;

use std::sync::Arc;

use crate::Projector;

/// Every read model, for a runner that keeps them all current.
pub fn all() -> Vec<Arc<dyn Projector>> {
    vec![
        Arc::new(catalog::CatalogProjector),
        Arc::new(inventory::InventoryProjector),
        Arc::new(carts::CartsProjector),
        Arc::new(customers::CustomersProjector),
        Arc::new(orders::OrdersProjector),
        Arc::new(payments::PaymentsProjector),
        Arc::new(notifications::NotificationsProjector),
    ]
}

/// The read model called `name`, if there is one.
pub fn by_name(name: &str) -> Option<Arc<dyn Projector>> {
    all().into_iter().find(|p| p.name() == name)
}
