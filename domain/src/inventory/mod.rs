//! Stock of one SKU: units on hand, reserved for orders, and committed when sold.
//!
//! One stream per SKU (`inventory-<SKU>`), so concurrent checkouts of the same SKU
//! conflict on the stream version and no unit is ever promised twice. Layout:
//! - [`InventoryCommand`], [`InventoryEvent`], [`InventoryError`]: what is asked,
//!   what happened, why it was refused;
//! - [`InventoryState`]: on hand and reservations per order;
//! - `decide` holds the rules, `evolve` folds the facts.

mod command;
mod decide;
mod error;
mod event;
mod evolve;
mod state;

#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;

pub use command::InventoryCommand;
pub use error::InventoryError;
pub use event::{InventoryEvent, StockAdjusted, StockCommitted, StockReceived, StockReleased, StockReserved};
pub use state::{InventoryState, MAX_ON_HAND};

use crate::decider::Decider;
use crate::values::Sku;

/// The inventory aggregate: the stock of one SKU as a decider.
pub struct Inventory;

impl Inventory {
    /// The stream holding a SKU's stock, `inventory-<SKU>`.
    pub fn stream_id(sku: &Sku) -> String {
        format!("{}-{}", Self::CATEGORY, sku)
    }
}

impl Decider for Inventory {
    const CATEGORY: &'static str = "inventory";
    type State = InventoryState;
    type Command = InventoryCommand;
    type Event = InventoryEvent;
    type Error = InventoryError;

    fn decide(state: &Self::State, command: &Self::Command) -> Result<Vec<Self::Event>, Self::Error> {
        decide::decide(state, command)
    }

    fn evolve(state: Self::State, event: &Self::Event) -> Self::State {
        evolve::evolve(state, event)
    }
}
