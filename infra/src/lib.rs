//! Ports and adapters: everything in Emporium that touches the outside world.
//!
//! Layout:
//! - [`event_store`]: the event store port, SQLite (embedded default) and PostgreSQL adapters;
//! - [`codec`]: domain events to envelopes and back, with upcasting;
//! - [`read_store`]: the read model document store port and its adapters.

pub mod codec;
pub mod event_store;
pub mod read_store;
