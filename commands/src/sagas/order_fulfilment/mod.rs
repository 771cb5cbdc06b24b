//! The order fulfilment saga: turns a placed order into reserved stock, a captured
//! payment and a confirmation with an invoice number, or into a clean cancellation.
//!
//! Forward path (on `OrderCreated`, and again on `OrderPaymentMethodChanged`): reserve
//! every SKU (inventory `Reserve`), `MarkItemsReserved`, request the payment (id
//! derived from order and attempt), authorise and capture through the gateway,
//! `RecordPaymentProcessed`, commit the stock, take the next invoice number,
//! `Confirm`. Compensation: a SKU short → release what was held and cancel ("insufficient
//! stock for SKU …"); payment declined → fail the payment, release the stock,
//! `RecordPaymentFailed` with a deadline; the deadline passes → cancel ("payment
//! deadline expired …"); `OrderCancelled` → refund what was captured, release or
//! restock the units, give the coupon's use back.
//!
//! Delivery is at least once: command ids are UUIDv5 of the triggering event id and the
//! step, gateway idempotency keys derive from the payment id, and each step checks the
//! aggregates before acting, so repeated handling never reserves or charges twice.
//! Per-order state and the checkpoint are committed together in the read store.
//!
//! Layout:
//! - [`OrderFulfilment`] (runner.rs): construction, the log consumer, the timer;
//! - [`SagaSettings`] (settings.rs), [`SagaError`] (error.rs);
//! - [`FulfilmentState`] and its [`Step`]/[`StockHold`] (state.rs): what is stored per order;
//! - react.rs: which events matter; advance.rs: the forward path, with reserve.rs,
//!   pay.rs (and gateway.rs for retries), finish.rs; compensate.rs: undoing on cancel;
//! - [`deadline`]: the timer's guarded cancellation; [`ids`]: every derived id;
//! - saga.rs, trigger.rs, order_log.rs: what the steps share.

mod advance;
mod compensate;
pub mod deadline;
mod error;
mod finish;
mod gateway;
pub mod ids;
mod order_log;
mod pay;
mod react;
mod reserve;
mod runner;
mod saga;
mod settings;
mod state;
mod trigger;

pub use error::SagaError;
pub use runner::OrderFulfilment;
pub use settings::SagaSettings;
pub use state::{FulfilmentState, Step, StockHold};
pub use trigger::ACTOR;
