//! The contract tests of `emporium-schemas`: generated events validate against their
//! schemas, the registry covers every event, the committed files match, and every
//! upcaster chain ends in a valid current payload.

// Strategies and helpers live outside `#[test]` functions, where clippy's
// `allow-unwrap-in-tests` does not reach; a failed unwrap there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod committed;
mod coverage;
mod events;
mod strategies;
mod upcast;
mod validation;
