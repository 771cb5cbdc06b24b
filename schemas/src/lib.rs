//! The contract of Emporium's event log: JSON Schemas (draft 2020-12) for the
//! envelope and every event type at every version, and the upcasters that read older
//! versions as the current one.
//!
//! Event payload schemas are generated with schemars from the domain's own payload
//! structs, so they cannot drift from the code; the envelope's is written by hand.
//! All of them are committed under `schemas/json/` for programs that do not link
//! this crate; a test fails when the files drift (`EMPORIUM_UPDATE_SCHEMAS=1 cargo
//! test -p emporium-schemas` rewrites them).
//!
//! Layout:
//! - [`registry`]: the one list of event types; [`EventType`] says what each one is;
//! - `generate` and `refine`: payload schemas from the domain's types, with the value
//!   types' rules restated; `ids`: the `$id` of each schema;
//! - [`envelope`]: the hand-written envelope schema;
//! - `history`: the frozen schemas of superseded versions;
//! - [`documents`](mod@documents): every schema as a file of `schemas/json/`;
//! - [`upcast`](mod@upcast): the upcaster chain, applied by every reader before deserializing.

pub mod documents;
pub mod envelope;
mod event_type;
mod generate;
mod history;
mod ids;
mod refine;
pub mod registry;
pub mod upcast;

use serde_json::Value;

pub use documents::{SchemaDocument, documents};
pub use envelope::envelope_schema;
pub use event_type::EventType;
pub use ids::{DRAFT_2020_12, ENVELOPE_SCHEMA_ID, SCHEMA_BASE_URL, event_schema_id};
pub use registry::{event_type, event_types};
pub use upcast::{UpcastError, current_version, upcast};

/// The JSON Schema of the current `data` of `event_type`, or `None` for an unknown type.
pub fn event_schema(event_type: &str) -> Option<Value> {
    registry::event_type(event_type).map(EventType::schema)
}

/// The JSON Schema of `data` of `event_type` at `version`, current or superseded.
pub fn event_schema_at(event_type: &str, version: u32) -> Option<Value> {
    registry::event_type(event_type).and_then(|t| t.schema_at(version))
}
