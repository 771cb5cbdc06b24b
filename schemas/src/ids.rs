//! Where each schema lives: the `$id` URLs and the meta-schema every document declares.

/// The JSON Schema dialect of every document: draft 2020-12.
pub const DRAFT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";

/// The base URL all of Emporium's schema ids start with.
pub const SCHEMA_BASE_URL: &str = "https://emporium.dev/schemas";

/// The `$id` of the envelope schema.
pub const ENVELOPE_SCHEMA_ID: &str = "https://emporium.dev/schemas/envelope.json";

/// The `$id` of one version of an event type's payload schema,
/// e.g. `https://emporium.dev/schemas/events/OrderCreated.v2.json`.
pub fn event_schema_id(event_type: &str, version: u32) -> String {
    format!("{SCHEMA_BASE_URL}/events/{event_type}.v{version}.json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_name_the_type_and_version() {
        assert_eq!(event_schema_id("OrderCreated", 2), "https://emporium.dev/schemas/events/OrderCreated.v2.json");
        assert!(ENVELOPE_SCHEMA_ID.starts_with(SCHEMA_BASE_URL));
    }
}
