//! Command handling: load a stream, let the aggregate decide, append with the loaded
//! version, and retry a bounded number of times when another writer got there first.
//!
//! Layout:
//! - [`handler`]: the [`CommandHandler`] and the outcome it reports;
//! - [`checkout`]: checkout from cart, the cart, its coupon and the new order in one
//!   atomic append;
//! - [`ids`]: deterministic command ids for the steps of one intent;
//! - [`stock`]: receiving and adjusting a product's stock;
//! - [`refunds`]: recording a refund the provider made, on the payment and its order;
//! - [`state_cache`]: the bounded cache of aggregate states the handler decides on;
//! - [`error`]: why a command failed;
//! - [`sagas`]: process managers that follow the log and issue commands (order fulfilment);
//! - [`notifications`]: the dispatcher that turns events into mail and SMS, with retries.
//!
//! Commands carry an id; handling the same id twice appends nothing new and answers
//! with the first outcome (the event store records command ids with their events).

pub mod accounts;
pub mod checkout;
pub mod error;
pub mod handler;
pub mod ids;
pub mod lookups;
pub mod notifications;
pub mod refunds;
pub mod sagas;
pub mod state_cache;
pub mod stock;
pub mod stripe_webhook;
pub mod unique;
pub mod wallet;

pub use error::CommandError;
pub use handler::{Command, CommandHandler, CommandOutcome};
