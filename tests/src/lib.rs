//! Shared helpers for Emporium's end-to-end and adapter tests: fresh PostgreSQL
//! databases, temporary data directories, the app on port 0, checkout journeys and a
//! fake Stripe API.
//!
//! Every test gets its own database (`emporium_test_<uuid>`) so runs never collide;
//! the database is dropped when the guard goes out of scope.

pub mod app;
pub mod checkout;
pub mod fake_stripe;
pub mod postgres;
pub mod stores;
