//! The bus: NATS JetStream between the event log and everything that follows it.
//!
//! The event store is the outbox; the [`Relay`] publishes it to the stream
//! `EMPORIUM_EVENTS` at sequence = global position, and [`JetStreamSource`] feeds log
//! consumers from durable pull consumers on that stream. The wire format is
//! [`contract`]'s alone, so any NATS client can follow the shop.
//!
//! Layout:
//! - [`contract`]: stream, subjects, headers, body; `ensure_stream`;
//! - `client`: connecting to one server or a cluster;
//! - `relay`: the log to JetStream, pipelined, resuming after the stream's last sequence;
//! - `source`: the `EventSource` adapter over durable pull consumers;
//! - `error`: [`BusError`].

mod client;
pub mod contract;
mod error;
mod relay;
mod source;

pub use async_nats::jetstream::Context as JetStream;
pub use client::connect;
pub use contract::{DecodeError, WireMessage, ensure_stream, open_stream};
pub use error::BusError;
pub use relay::{DEFAULT_WINDOW, Relay};
pub use source::{FeedSettings, JetStreamSource, durable_name};
