//! The query side over HTTP: health, and (as the shop grows) catalog, cart and order
//! reads, SSE live updates and audit replay.
//!
//! Layout:
//! - [`health`]: `GET /health` (the process is up) and `GET /health/ready` (its
//!   stores answer and its projections are running).

pub mod health;
