//! Turns domain events into envelopes and back, upcasting older schema versions.

use emporium_domain::DomainEvent;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::event_store::{EventMetadata, NewEvent, RecordedEvent};

/// Why an event could not be encoded or decoded.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    /// serde could not (de)serialize the payload.
    #[error("event {event_type} v{schema_version}: {source}")]
    Serde {
        /// The event's type name.
        event_type: String,
        /// The stored schema version.
        schema_version: u32,
        /// The serde error.
        #[source]
        source: serde_json::Error,
    },
    /// An adjacently tagged enum did not serialize to `{event_type, data}`.
    #[error("event did not serialize to an adjacently tagged object")]
    NotTagged,
    /// The stored version has no upcaster to the current one.
    #[error(transparent)]
    Upcast(#[from] emporium_schemas::UpcastError),
}

/// Serializes a domain event into a new envelope with a fresh UUIDv7.
pub fn encode<E: DomainEvent>(event: &E, metadata: EventMetadata) -> Result<NewEvent, CodecError> {
    encode_with_id(event, Uuid::now_v7(), metadata)
}

/// Serializes a domain event into a new envelope with a given id (for idempotent retries).
pub fn encode_with_id<E: DomainEvent>(
    event: &E,
    event_id: Uuid,
    metadata: EventMetadata,
) -> Result<NewEvent, CodecError> {
    let event_type = event.event_type().to_owned();
    let schema_version = event.schema_version();
    let tagged = serde_json::to_value(event).map_err(|source| CodecError::Serde {
        event_type: event_type.clone(),
        schema_version,
        source,
    })?;
    let Value::Object(mut tagged) = tagged else {
        return Err(CodecError::NotTagged);
    };
    let data = tagged.remove("data").unwrap_or(Value::Null);
    Ok(NewEvent { event_id, event_type, schema_version, data, metadata })
}

/// Reads a stored envelope as a domain event, upcasting older payloads first.
pub fn decode<E: DomainEvent>(recorded: &RecordedEvent) -> Result<E, CodecError> {
    let data = emporium_schemas::upcast(&recorded.event_type, recorded.schema_version, recorded.data.clone())?;
    let mut tagged = Map::new();
    tagged.insert("event_type".to_owned(), Value::String(recorded.event_type.clone()));
    tagged.insert("data".to_owned(), data);
    serde_json::from_value(Value::Object(tagged)).map_err(|source| CodecError::Serde {
        event_type: recorded.event_type.clone(),
        schema_version: recorded.schema_version,
        source,
    })
}
