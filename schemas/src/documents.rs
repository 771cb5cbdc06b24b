//! Every schema as a file: the layout of the committed `schemas/json/` folder.
//!
//! `envelope.schema.json` and `events/<EventType>.v<N>.schema.json` for every version
//! of every event type. The contract tests compare the folder with [`documents`] and
//! rewrite it when `EMPORIUM_UPDATE_SCHEMAS=1`.

use serde_json::Value;

use crate::envelope::envelope_schema;
use crate::registry::event_types;

/// One schema file.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaDocument {
    /// Path relative to `schemas/json/`, `/`-separated.
    pub path: String,
    /// The schema.
    pub schema: Value,
}

impl SchemaDocument {
    /// The file's text: pretty JSON with keys sorted at every level, and a final newline.
    pub fn contents(&self) -> String {
        let mut schema = self.schema.clone();
        schema.sort_all_objects();
        format!("{schema:#}\n")
    }
}

/// The envelope schema and every version of every event schema, envelope first.
pub fn documents() -> Vec<SchemaDocument> {
    let envelope = SchemaDocument { path: "envelope.schema.json".to_owned(), schema: envelope_schema() };
    let events = event_types().iter().flat_map(|event_type| {
        (1..=event_type.version()).filter_map(move |version| {
            let schema = event_type.schema_at(version)?;
            Some(SchemaDocument { path: format!("events/{}.v{version}.schema.json", event_type.name()), schema })
        })
    });
    std::iter::once(envelope).chain(events).collect()
}
