//! The wire contract of the `EMPORIUM_EVENTS` stream, in one place: its name and
//! configuration, each event's subject and headers, the body (the envelope as JSON)
//! and the way back from a stream message to a [`RecordedEvent`].
//!
//! Any NATS client can follow the shop with nothing but this page: the stream's
//! sequence is the event's global position (the relay publishes with
//! `Nats-Expected-Last-Sequence` = position − 1), so "start after position N" is
//! "deliver from sequence N + 1".

use std::time::Duration;

use async_nats::HeaderMap;
use async_nats::jetstream::{self, stream};

use super::error::BusError;
use crate::event_store::RecordedEvent;

/// The stream's name.
pub const STREAM: &str = "EMPORIUM_EVENTS";
/// The stream's subjects: `emporium.events.<category>.<event_type>`.
pub const SUBJECTS: &str = "emporium.events.>";
/// What every subject starts with.
pub const SUBJECT_PREFIX: &str = "emporium.events";
/// Header: the event id (JetStream dedupes on it within [`DUPLICATE_WINDOW`]).
pub const MSG_ID: &str = "Nats-Msg-Id";
/// Header: the event's global position (also the message's stream sequence).
pub const POSITION: &str = "Emporium-Position";
/// Header: the event's stream id (`<category>-<id>`).
pub const STREAM_ID: &str = "Emporium-Stream";
/// Header: the event's type name.
pub const EVENT_TYPE: &str = "Emporium-Event-Type";
/// Header: W3C trace context, when the event's metadata has one.
pub const TRACEPARENT: &str = "traceparent";
/// How long JetStream remembers message ids to drop duplicates. The sequence
/// expectation is the first guard against double publishing; this is the second, and
/// JetStream's default (it keeps one entry per message for the whole window).
pub const DUPLICATE_WINDOW: Duration = Duration::from_secs(120);

/// A message ready to publish: subject, headers (with `Nats-Msg-Id`) and JSON body.
#[derive(Debug, Clone)]
pub struct WireMessage {
    /// `emporium.events.<category>.<event_type>`.
    pub subject: String,
    /// The contract's headers.
    pub headers: HeaderMap,
    /// The envelope as JSON.
    pub payload: Vec<u8>,
}

/// A stream message that is not an envelope of this contract.
#[derive(Debug, thiserror::Error)]
#[error("the message at sequence {sequence} is not an Emporium event: {reason}")]
pub struct DecodeError {
    /// The message's stream sequence (= the position it should hold).
    pub sequence: u64,
    /// What was wrong.
    pub reason: String,
}

/// The subject of an event: `emporium.events.<category>.<event_type>`.
///
/// Both parts become single subject tokens: a character other than ASCII letters,
/// digits, `-` and `_` (a `.`, a space, a wildcard) is replaced by `_`, and an empty
/// part is `_`. The exact values travel in the headers and the body.
pub fn subject(event: &RecordedEvent) -> String {
    format!("{SUBJECT_PREFIX}.{}.{}", token(event.category()), token(&event.event_type))
}

fn token(part: &str) -> String {
    if part.is_empty() {
        return "_".to_owned();
    }
    part.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

/// The message that carries `event`.
pub fn encode(event: &RecordedEvent) -> Result<WireMessage, serde_json::Error> {
    let payload = serde_json::to_vec(event)?;
    let mut headers = HeaderMap::new();
    headers.insert(MSG_ID, event.event_id.to_string());
    headers.insert(POSITION, event.global_position.to_string());
    headers.insert(STREAM_ID, event.stream_id.as_str());
    headers.insert(EVENT_TYPE, event.event_type.as_str());
    if let Some(traceparent) = &event.metadata.traceparent {
        headers.insert(TRACEPARENT, traceparent.as_str());
    }
    Ok(WireMessage { subject: subject(event), headers, payload })
}

/// The event in the message at stream sequence `sequence`; its body must be an
/// envelope whose `global_position` is that sequence.
pub fn decode(sequence: u64, payload: &[u8]) -> Result<RecordedEvent, DecodeError> {
    let event: RecordedEvent = serde_json::from_slice(payload)
        .map_err(|error| DecodeError { sequence, reason: format!("the body is not an event envelope: {error}") })?;
    if event.global_position != sequence {
        return Err(DecodeError {
            sequence,
            reason: format!(
                "it holds the event at position {} (the stream no longer mirrors the log)",
                event.global_position
            ),
        });
    }
    Ok(event)
}

/// The value of header `name`, if present.
pub fn header<'a>(headers: Option<&'a HeaderMap>, name: &str) -> Option<&'a str> {
    headers.and_then(|headers| headers.get_last(name)).map(|value| value.as_str())
}

/// The stream's configuration: every event kept for ever on file storage, with
/// `replicas` copies (1, or 3 on a three-node cluster).
pub fn stream_config(replicas: usize) -> stream::Config {
    stream::Config {
        name: STREAM.to_owned(),
        description: Some("Emporium's event log: sequence = global position".to_owned()),
        subjects: vec![SUBJECTS.to_owned()],
        retention: stream::RetentionPolicy::Limits,
        storage: stream::StorageType::File,
        num_replicas: replicas.max(1),
        max_messages: -1,
        max_bytes: -1,
        max_messages_per_subject: -1,
        max_age: Duration::ZERO,
        max_consumers: -1,
        discard: stream::DiscardPolicy::Old,
        duplicate_window: DUPLICATE_WINDOW,
        // Lets any client read a message by sequence from any replica.
        allow_direct: true,
        ..stream::Config::default()
    }
}

/// The stream as it is, created with [`stream_config`] only when missing: what
/// consumers call, so a consumer started with another `--bus-replicas` never changes
/// the stream the relay configured.
pub async fn open_stream(js: &jetstream::Context, replicas: usize) -> Result<jetstream::stream::Stream, BusError> {
    match js.get_stream(STREAM).await {
        Ok(stream) => Ok(stream),
        Err(_) => ensure_stream(js, replicas).await,
    }
}

/// Creates the stream, or brings an existing one to [`stream_config`]; returns it.
/// The relay calls this (it owns the stream's configuration); consumers call
/// [`open_stream`], so either may start first.
pub async fn ensure_stream(js: &jetstream::Context, replicas: usize) -> Result<jetstream::stream::Stream, BusError> {
    js.create_or_update_stream(stream_config(replicas))
        .await
        .map_err(BusError::nats(format!("creating or updating the stream {STREAM} (replicas {replicas})")))?;
    js.get_stream(STREAM).await.map_err(BusError::nats(format!("looking up the stream {STREAM}")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::event_store::EventMetadata;

    fn event(stream_id: &str, event_type: &str, position: u64) -> RecordedEvent {
        RecordedEvent {
            event_id: uuid::Uuid::now_v7(),
            stream_id: stream_id.to_owned(),
            stream_version: 1,
            global_position: position,
            event_type: event_type.to_owned(),
            schema_version: 1,
            data: serde_json::json!({ "a": 1 }),
            metadata: EventMetadata { traceparent: Some("00-abc-def-01".into()), ..EventMetadata::default() },
            recorded_at: chrono::Utc::now(),
            prev_hash: "0".repeat(64),
            hash: "1".repeat(64),
        }
    }

    #[test]
    fn subjects_name_category_and_type_as_single_tokens() {
        assert_eq!(subject(&event("order-0190", "OrderCreated", 1)), "emporium.events.order.OrderCreated");
        assert_eq!(subject(&event("odd.cat-1", "A b*>", 1)), "emporium.events.odd_cat.A_b__");
        assert_eq!(subject(&event("-x", "", 1)), "emporium.events._._");
    }

    #[test]
    fn an_encoded_event_decodes_to_itself_with_the_contract_headers() {
        let original = event("cart-1", "CartCreated", 7);
        let wire = encode(&original).unwrap();
        assert_eq!(header(Some(&wire.headers), MSG_ID), Some(original.event_id.to_string().as_str()));
        assert_eq!(header(Some(&wire.headers), POSITION), Some("7"));
        assert_eq!(header(Some(&wire.headers), STREAM_ID), Some("cart-1"));
        assert_eq!(header(Some(&wire.headers), EVENT_TYPE), Some("CartCreated"));
        assert_eq!(header(Some(&wire.headers), TRACEPARENT), Some("00-abc-def-01"));
        assert_eq!(decode(7, &wire.payload).unwrap(), original);
    }

    #[test]
    fn a_body_that_is_not_an_envelope_or_sits_at_another_sequence_is_refused() {
        assert!(decode(1, b"not json").unwrap_err().reason.contains("not an event envelope"));
        let wire = encode(&event("cart-1", "CartCreated", 7)).unwrap();
        assert!(decode(8, &wire.payload).unwrap_err().reason.contains("position 7"));
    }
}
