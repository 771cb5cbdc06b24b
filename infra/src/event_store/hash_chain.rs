//! Tamper evidence: every event's hash covers its envelope and the previous hash,
//! so changing, dropping or reordering any stored event breaks the chain after it.

use sha2::{Digest, Sha256};

use super::RecordedEvent;

/// The `prev_hash` of the first event in the log.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of an envelope that the hash covers.
pub(crate) struct HashInput<'a> {
    pub prev_hash: &'a str,
    pub event_id: &'a uuid::Uuid,
    pub stream_id: &'a str,
    pub stream_version: u64,
    pub global_position: u64,
    pub event_type: &'a str,
    pub schema_version: u32,
    pub data: &'a str,
    pub metadata: &'a str,
    pub recorded_at_micros: i64,
}

/// Hex SHA-256 over the envelope's fields, each length-prefixed so no two
/// different envelopes can serialize to the same bytes.
pub(crate) fn event_hash(input: &HashInput<'_>) -> String {
    let mut hasher = Sha256::new();
    let mut field = |bytes: &[u8]| {
        hasher.update((bytes.len() as u64).to_be_bytes());
        hasher.update(bytes);
    };
    field(input.prev_hash.as_bytes());
    field(input.event_id.as_bytes());
    field(input.stream_id.as_bytes());
    field(&input.stream_version.to_be_bytes());
    field(&input.global_position.to_be_bytes());
    field(input.event_type.as_bytes());
    field(&input.schema_version.to_be_bytes());
    field(input.data.as_bytes());
    field(input.metadata.as_bytes());
    field(&input.recorded_at_micros.to_be_bytes());
    hex::encode(hasher.finalize())
}

/// JSON with object keys sorted at every level and no whitespace.
///
/// The hash must not depend on how a database hands JSON back (PostgreSQL's JSONB
/// reorders keys) or on whether serde_json preserves insertion order.
pub fn canonical_json(value: &serde_json::Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, value)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(value, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// Where and why a chain of events does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("hash chain broken at position {position}: {reason}")]
pub struct ChainBreak {
    /// The first position that does not verify.
    pub position: u64,
    /// What was wrong.
    pub reason: String,
}

/// Verifies consecutive events against the chain, starting after `prev_hash`.
///
/// Returns the hash of the last event, to continue with the next page.
pub fn verify_chain<'a>(
    prev_hash: &str,
    events: impl IntoIterator<Item = &'a RecordedEvent>,
) -> Result<String, ChainBreak> {
    let mut prev = prev_hash.to_owned();
    for event in events {
        if event.prev_hash != prev {
            return Err(ChainBreak {
                position: event.global_position,
                reason: "prev_hash does not match the previous event".into(),
            });
        }
        let data = canonical_json(&event.data);
        let metadata = canonical_json(&serde_json::to_value(&event.metadata).unwrap_or_default());
        let expected = event_hash(&HashInput {
            prev_hash: &prev,
            event_id: &event.event_id,
            stream_id: &event.stream_id,
            stream_version: event.stream_version,
            global_position: event.global_position,
            event_type: &event.event_type,
            schema_version: event.schema_version,
            data: &data,
            metadata: &metadata,
            recorded_at_micros: event.recorded_at.timestamp_micros(),
        });
        if expected != event.hash {
            return Err(ChainBreak {
                position: event.global_position,
                reason: "hash does not match the envelope".into(),
            });
        }
        prev = expected;
    }
    Ok(prev)
}
