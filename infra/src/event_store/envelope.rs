//! The event envelope, stored and streamed: the contract of ARCHITECTURE.md.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// Who and what caused an event; flows from HTTP into the log and on into NATS headers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventMetadata {
    /// The request or saga run this event belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<Uuid>,
    /// The command or event that directly caused this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub causation_id: Option<Uuid>,
    /// Who acted: a customer id, `admin:<id>`, `saga:<name>`, `system`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// W3C trace context of the request that caused the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traceparent: Option<String>,
}

/// An event about to be appended.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    /// UUIDv7; a retry with the same id is a no-op.
    pub event_id: Uuid,
    /// The event's type name, e.g. `OrderCreated`.
    pub event_type: String,
    /// The schema version of `data`.
    pub schema_version: u32,
    /// The payload.
    pub data: Value,
    /// Correlation, causation, actor, trace.
    pub metadata: EventMetadata,
}

/// What an append expects of the stream before it writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExpectedVersion {
    /// Write whatever the stream's version is.
    Any,
    /// The stream must not exist yet.
    NoStream,
    /// The stream's last version must be exactly this (1-based).
    Exact(u64),
}

impl ExpectedVersion {
    /// Whether a stream at `current` (0 = no stream) meets the expectation.
    pub fn allows(&self, current: u64) -> bool {
        match self {
            ExpectedVersion::Any => true,
            ExpectedVersion::NoStream => current == 0,
            ExpectedVersion::Exact(v) => *v == current,
        }
    }
}

impl std::fmt::Display for ExpectedVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExpectedVersion::Any => f.write_str("any"),
            ExpectedVersion::NoStream => f.write_str("no stream"),
            ExpectedVersion::Exact(v) => write!(f, "version {v}"),
        }
    }
}

/// One append: events for one stream, all or nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct AppendRequest {
    /// `<category>-<id>`.
    pub stream_id: String,
    /// The version check.
    pub expected: ExpectedVersion,
    /// At least one event.
    pub events: Vec<NewEvent>,
    /// The command that caused this append; a second append with it is a no-op.
    pub command_id: Option<Uuid>,
}

/// Where an append landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppendOutcome {
    /// The stream's version after the append (its last event's version).
    pub stream_version: u64,
    /// Global position of the first appended event.
    pub first_position: u64,
    /// Global position of the last appended event.
    pub last_position: u64,
    /// True when nothing was written because this append had already happened.
    pub duplicate: bool,
}

/// An event as stored: the envelope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedEvent {
    /// UUIDv7.
    pub event_id: Uuid,
    /// `<category>-<id>`.
    pub stream_id: String,
    /// 1-based position within the stream.
    pub stream_version: u64,
    /// 1-based, gap-free position in the whole log.
    pub global_position: u64,
    /// e.g. `OrderCreated`.
    pub event_type: String,
    /// Version of `data`'s schema.
    pub schema_version: u32,
    /// The payload.
    pub data: Value,
    /// Correlation, causation, actor, trace.
    pub metadata: EventMetadata,
    /// Commit time.
    pub recorded_at: DateTime<Utc>,
    /// Hex SHA-256 of the previous event in global order (tamper evidence).
    pub prev_hash: String,
    /// Hex SHA-256 over this envelope and `prev_hash`.
    pub hash: String,
}

impl RecordedEvent {
    /// The `<category>` part of the stream id.
    pub fn category(&self) -> &str {
        self.stream_id.split_once('-').map_or(self.stream_id.as_str(), |(c, _)| c)
    }
}
