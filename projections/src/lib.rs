//! Projections: the read side of Emporium. Projectors turn the event log into
//! read-model documents shaped for the HTTP API, and a runner keeps them current.
//!
//! Every projector has its own checkpoint in the read store, committed in the same
//! transaction as the documents of each batch, so a restart resumes exactly where it
//! stopped and a redelivered batch changes nothing. Layout:
//! - [`Projector`] (projector.rs): name, owned collections, event -> [`DocWrite`]s;
//! - [`Documents`] (documents.rs): what a projector reads, including its own
//!   uncommitted writes of the current batch;
//! - [`Projection`] (consumer.rs): a projector as a log consumer of its own;
//! - [`ProjectionRunner`] (runner.rs): one follower per projector over one source;
//! - [`rebuild`] (rebuild.rs) and [`status`] (status.rs): operator tools;
//! - [`models`]: the read models (catalog, inventory, carts, orders).
//!
//! [`DocWrite`]: emporium_infra::read_store::DocWrite

mod batch;
mod consumer;
mod documents;
mod error;
pub mod models;
mod projector;
mod rebuild;
mod runner;
mod status;

pub use consumer::Projection;
pub use documents::Documents;
pub use error::ProjectionError;
pub use projector::{Projector, decode};
pub use rebuild::{REBUILD_PAGE, rebuild, rebuild_all};
pub use runner::{DEFAULT_BATCH_SIZE, ProjectionRunner, RunningProjections};
pub use status::{ProjectionStatus, status};
