//! Ports and adapters: everything in Emporium that touches the outside world.
//!
//! Layout:
//! - [`event_store`]: the event store port, SQLite (embedded default) and PostgreSQL adapters;
//! - `bus` (feature `nats`): NATS JetStream: the wire contract, the relay, the JetStream event source;
//! - [`follow`]: the one consumer model: `EventSource`, `Consumer`, the `Follower` runner, parked messages;
//! - [`codec`]: domain events to envelopes and back, with upcasting;
//! - [`read_store`]: the read model document store port and its adapters;
//! - [`accounts`]: password hashes, single-use tokens, uniqueness claims, idempotency records;
//! - [`html`]: escaping text for HTML;
//! - [`leader`]: the lock that lets one process per store run the process managers;
//! - [`mailer`]: the mail port and its adapters;
//! - [`payments`]: the payment gateway port and its adapters;
//! - [`sms`]: the SMS port and its adapters (log, Twilio);
//! - [`rate_limits`]: rate limits per key, in process or shared through Redis;
//! - [`private_files`]: the data directory's files, readable by their owner only.

// Helpers the SQL adapters share (group commit, stored-answer encoding, error
// classification) are unused in a build with neither database feature.
#![cfg_attr(not(any(feature = "postgres", feature = "sqlite")), allow(dead_code))]

pub mod accounts;
#[cfg(feature = "nats")]
pub mod bus;
pub mod codec;
pub mod event_store;
pub mod follow;
pub mod html;
pub mod leader;
pub mod mailer;
pub mod payments;
pub mod private_files;
pub mod rate_limits;
pub mod read_store;
pub mod sms;
