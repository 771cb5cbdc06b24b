//! The hand-written JSON Schema of the event envelope, stored and streamed.
//!
//! It mirrors `RecordedEvent` in `emporium-infra` (which depends on this crate, so the
//! schema cannot be derived from it): the shape every NATS message body and every
//! exported event has, whatever its `data`.

use serde_json::{Value, json};

use crate::ids::{DRAFT_2020_12, ENVELOPE_SCHEMA_ID};

/// A lower-case hex SHA-256 digest.
const SHA256_HEX: &str = "^[0-9a-f]{64}$";

/// The JSON Schema (draft 2020-12) of the event envelope.
pub fn envelope_schema() -> Value {
    json!({
        "$schema": DRAFT_2020_12,
        "$id": ENVELOPE_SCHEMA_ID,
        "title": "RecordedEvent",
        "description": "One event of the Emporium log as stored and streamed. `data` is described by the schema of `event_type` at `schema_version`.",
        "type": "object",
        "properties": {
            "event_id": { "description": "Unique id of the event (a UUIDv7 when the store made it).", "type": "string", "format": "uuid" },
            "stream_id": { "description": "`<category>-<id>`, e.g. `order-<uuid>`.", "type": "string", "pattern": "^[a-z]+-.+$" },
            "stream_version": { "description": "1-based position within the stream.", "type": "integer", "minimum": 1 },
            "global_position": { "description": "1-based, gap-free position in the whole log.", "type": "integer", "minimum": 1 },
            "event_type": { "description": "The payload's type, e.g. `OrderCreated`.", "type": "string", "pattern": "^[A-Z][A-Za-z0-9]*$" },
            "schema_version": { "description": "The version of `data`'s schema.", "type": "integer", "minimum": 1, "maximum": u32::MAX },
            "data": { "description": "The payload.", "type": "object" },
            "metadata": { "$ref": "#/$defs/EventMetadata" },
            "recorded_at": { "description": "Commit time (RFC 3339).", "type": "string", "format": "date-time" },
            "prev_hash": { "description": "Hex SHA-256 of the previous event in global order; 64 zeros for the first.", "type": "string", "pattern": SHA256_HEX },
            "hash": { "description": "Hex SHA-256 over this envelope and `prev_hash`.", "type": "string", "pattern": SHA256_HEX }
        },
        "required": [
            "event_id", "stream_id", "stream_version", "global_position", "event_type",
            "schema_version", "data", "metadata", "recorded_at", "prev_hash", "hash"
        ],
        "additionalProperties": false,
        "$defs": {
            "EventMetadata": {
                "description": "Who and what caused the event; every field is optional.",
                "type": "object",
                "properties": {
                    "correlation_id": { "description": "The request or saga run the event belongs to.", "type": "string", "format": "uuid" },
                    "causation_id": { "description": "The command or event that directly caused it.", "type": "string", "format": "uuid" },
                    "actor": { "description": "Who acted: a customer id, `admin:<id>`, `saga:<name>`, `system`.", "type": "string" },
                    "traceparent": { "description": "W3C trace context of the request that caused the event, as received.", "type": "string" }
                },
                "additionalProperties": false
            }
        }
    })
}
