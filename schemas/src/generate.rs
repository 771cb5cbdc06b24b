//! Payload schemas generated with schemars from the domain's own types.
//!
//! The generated schema is stamped with the dialect, its `$id` and its title, and
//! tightened by [`crate::refine`] where schemars cannot see a value type's rules.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema};
use serde_json::Value;

use crate::ids::{DRAFT_2020_12, event_schema_id};
use crate::refine;

/// The raw draft 2020-12 schema of `T`, shared definitions under `$defs`.
pub(crate) fn payload_schema<T: JsonSchema>() -> Schema {
    SchemaSettings::draft2020_12().into_generator().into_root_schema_for::<T>()
}

/// Turns a raw payload schema into the published schema of `event_type` at `version`.
pub(crate) fn finish(event_type: &str, version: u32, schema: Schema) -> Value {
    let mut schema = schema.to_value();
    refine::tighten(&mut schema);
    if let Value::Object(root) = &mut schema {
        root.insert("$schema".to_owned(), Value::from(DRAFT_2020_12));
        root.insert("$id".to_owned(), Value::from(event_schema_id(event_type, version)));
        root.insert("title".to_owned(), Value::from(event_type));
    }
    schema
}
