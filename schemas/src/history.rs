//! Frozen schemas of superseded payload versions.
//!
//! Once an event type's version goes up, the schema of the old version never changes
//! again: old events in the log keep that shape for ever. Its committed file under
//! `schemas/json/events/` is the source, embedded here as text. To retire a version,
//! keep its generated file and add it below; then register the upcaster in
//! [`crate::upcast`](mod@crate::upcast).

use serde_json::Value;

/// (event type, version, the committed schema).
const FROZEN: &[(&str, u32, &str)] = &[("OrderCreated", 1, include_str!("../json/events/OrderCreated.v1.schema.json"))];

/// The frozen schema of `event_type` at `version`, if that version was retired.
pub(crate) fn frozen_schema(event_type: &str, version: u32) -> Option<Value> {
    FROZEN
        .iter()
        .find(|(name, v, _)| *name == event_type && *v == version)
        .and_then(|(_, _, text)| serde_json::from_str(text).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::event_schema_id;

    #[test]
    fn every_frozen_schema_parses_and_names_its_version() {
        for (name, version, _) in FROZEN {
            let schema = frozen_schema(name, *version).unwrap_or_else(|| panic!("{name} v{version} is not valid JSON"));
            assert_eq!(schema["$id"], event_schema_id(name, *version), "{name} v{version}: wrong $id");
            assert!(*version < crate::upcast::current_version(name), "{name} v{version} is not superseded");
        }
    }
}
