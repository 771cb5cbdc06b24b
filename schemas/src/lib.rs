//! The contract of Emporium's event log: JSON Schemas (draft 2020-12) for the
//! envelope and every event type at its current version, and the upcasters that
//! read older versions as the current one.
//!
//! Layout:
//! - [`upcast`]: the upcaster chain, applied by every reader before deserializing.

mod upcast;

pub use upcast::{UpcastError, upcast};
