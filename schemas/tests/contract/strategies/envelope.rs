//! Envelopes around generated payloads, built as JSON the way `RecordedEvent` serializes.

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::Sample;
use super::values::{instant, uuid};

/// 64 lower-case hex digits.
fn sha256_hex() -> impl Strategy<Value = String> {
    any::<[u8; 32]>().prop_map(|bytes| bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Who acted, in each of the shapes the write side records.
fn actor() -> impl Strategy<Value = String> {
    prop_oneof![
        uuid().prop_map(|id| id.to_string()),
        uuid().prop_map(|id| format!("admin:{id}")),
        "saga:[a-z_]{3,20}",
        Just("system".to_owned()),
    ]
}

/// A W3C traceparent header.
fn traceparent() -> impl Strategy<Value = String> {
    "00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]"
}

/// Metadata with each field present or absent, absent ones skipped as serde does.
fn metadata() -> impl Strategy<Value = Value> {
    use proptest::option::of;
    (of(uuid()), of(uuid()), of(actor()), of(traceparent())).prop_map(|(correlation, causation, actor, traceparent)| {
        let mut metadata = Map::new();
        let fields = [
            ("correlation_id", correlation.map(|id| id.to_string())),
            ("causation_id", causation.map(|id| id.to_string())),
            ("actor", actor),
            ("traceparent", traceparent),
        ];
        for (key, value) in fields {
            if let Some(value) = value {
                metadata.insert(key.to_owned(), Value::String(value));
            }
        }
        Value::Object(metadata)
    })
}

/// A full envelope carrying `sample`'s payload in a stream of its category.
pub fn envelope(sample: Sample) -> impl Strategy<Value = Value> {
    let positions = (1u64..=u64::MAX, 1u64..=u64::MAX);
    (uuid(), uuid(), positions, metadata(), instant(), sha256_hex(), sha256_hex()).prop_map(
        move |(event_id, aggregate_id, (stream_version, global_position), metadata, recorded_at, prev_hash, hash)| {
            json!({
                "event_id": event_id,
                "stream_id": format!("{}-{aggregate_id}", sample.category),
                "stream_version": stream_version,
                "global_position": global_position,
                "event_type": sample.event_type,
                "schema_version": sample.schema_version,
                "data": sample.data.clone(),
                "metadata": metadata,
                "recorded_at": recorded_at,
                "prev_hash": prev_hash,
                "hash": hash,
            })
        },
    )
}
