//! Following the log: the one consumer model for everything that reads the event log
//! in order (projectors, the order saga, the notification dispatcher).
//!
//! A [`Consumer`] names itself (its checkpoint key and its durable name on the bus),
//! turns a batch of events into document writes, and may do timer work. The
//! [`Follower`] runner owns the rest: it reads the consumer's checkpoint, opens a
//! [`Feed`] from an [`EventSource`], commits each batch's writes with the new
//! checkpoint in one store transaction, retries failures with back-off, parks a
//! message that keeps failing (see [`parked`]) so the rest flows on, replays parked
//! messages on request, and reports how it is doing in a [`Health`] board.
//!
//! Layout:
//! - [`source`]: the `EventSource`/`Feed` port; [`StoreTail`] is its in-process adapter;
//! - [`consumer`]: the `Consumer` trait and its retry policy;
//! - [`runner`]: the `Follower` loop and its handle;
//! - [`parked`]: dead-lettered messages: how they are stored, listed and sent back;
//! - [`health`]: what each consumer in this process is doing, for `/health/ready`.

pub mod consumer;
pub mod health;
pub mod parked;
pub mod runner;
pub mod source;
mod store_tail;

pub use consumer::{ConsumeError, Consumer, RetryPolicy};
pub use health::{ConsumerState, Health};
pub use parked::ParkedMessage;
pub use runner::{Follower, Running};
pub use source::{EventSource, Feed, SourceError};
pub use store_tail::StoreTail;
