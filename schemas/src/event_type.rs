//! One entry of the registry: an event type's name, stream category, version and schema.

use schemars::{JsonSchema, Schema};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::{generate, history, upcast};

/// An event type of the domain, as the log records it.
#[derive(Debug, Clone, Copy)]
pub struct EventType {
    name: &'static str,
    category: &'static str,
    payload_schema: fn() -> Schema,
    read_payload: fn(Value) -> Result<(), serde_json::Error>,
}

impl EventType {
    /// Describes the event type `name` whose payload is `T`, recorded in `<category>-…` streams.
    pub(crate) const fn of<T: JsonSchema + DeserializeOwned>(name: &'static str, category: &'static str) -> Self {
        Self { name, category, payload_schema: generate::payload_schema::<T>, read_payload: read_as::<T> }
    }

    /// The `event_type` of the envelope, e.g. `OrderCreated`.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The stream category its events are recorded in, e.g. `order`.
    pub const fn category(&self) -> &'static str {
        self.category
    }

    /// The schema version the domain writes today.
    pub fn version(&self) -> u32 {
        upcast::current_version(self.name)
    }

    /// The JSON Schema of the current payload, generated from the domain's type.
    pub fn schema(&self) -> Value {
        generate::finish(self.name, self.version(), (self.payload_schema)())
    }

    /// The JSON Schema of the payload at `version`: generated for the current one,
    /// frozen for older ones, `None` for versions that never existed.
    pub fn schema_at(&self, version: u32) -> Option<Value> {
        if version == self.version() { Some(self.schema()) } else { history::frozen_schema(self.name, version) }
    }

    /// Reads `data` as the domain's current payload type, reporting why it does not fit.
    pub fn read_payload(&self, data: Value) -> Result<(), serde_json::Error> {
        (self.read_payload)(data)
    }
}

/// Deserializes `data` as `T` and drops it: the check behind [`EventType::read_payload`].
fn read_as<T: DeserializeOwned>(data: Value) -> Result<(), serde_json::Error> {
    serde_json::from_value::<T>(data).map(drop)
}
