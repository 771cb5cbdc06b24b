//! Shared helpers for Emporium's end-to-end and adapter tests: fresh PostgreSQL
//! databases, fresh MongoDB databases (on a SecantusDB started for the tests),
//! temporary data directories, the app on port 0, checkout journeys, a fake Stripe
//! API, NATS JetStream servers (single nodes and clusters) and Redis servers started
//! for the tests.
//!
//! Every test gets its own database (`emporium_test_<uuid>`) so runs never collide;
//! the database is dropped when the guard goes out of scope.

pub mod app;
pub mod binaries;
pub mod checkout;
pub mod fake_stripe;
pub mod mongo;
pub mod nats;
pub mod postgres;
pub mod rebuild;
pub mod redis;
pub mod stores;
