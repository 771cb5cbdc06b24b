//! Upcasters: pure functions lifting an event payload one schema version up.
//!
//! Stored events are immutable; when an event type's shape changes, its schema
//! version goes up and an upcaster from the previous version is registered here.
//! Readers call [`upcast`] before deserializing, so domain code only ever sees the
//! current shape.

use serde_json::Value;

/// Why a stored payload could not be brought to the current version.
#[derive(Debug, thiserror::Error)]
pub enum UpcastError {
    /// No upcaster is registered from this version of this type.
    #[error("no upcaster for {event_type} v{from}")]
    Missing {
        /// The event type.
        event_type: String,
        /// The version with no way up.
        from: u32,
    },
    /// The old payload did not have the shape its version promises.
    #[error("{event_type} v{from} payload is malformed: {reason}")]
    Malformed {
        /// The event type.
        event_type: String,
        /// Its version.
        from: u32,
        /// What was wrong.
        reason: String,
    },
}

/// One step: lifts `data` from version `from` to `from + 1`.
type Step = fn(Value) -> Result<Value, String>;

/// The registered steps: (event type, from version, step).
const STEPS: &[(&str, u32, Step)] = &[];

/// The current schema version of an event type (1 when it never changed).
pub fn current_version(event_type: &str) -> u32 {
    STEPS
        .iter()
        .filter(|(t, _, _)| *t == event_type)
        .map(|(_, from, _)| from + 1)
        .max()
        .unwrap_or(1)
}

/// Lifts a payload stored at `version` to the current version of `event_type`.
pub fn upcast(event_type: &str, version: u32, mut data: Value) -> Result<Value, UpcastError> {
    let target = current_version(event_type);
    let mut at = version;
    while at < target {
        let step = STEPS
            .iter()
            .find(|(t, from, _)| *t == event_type && *from == at)
            .map(|(_, _, step)| *step)
            .ok_or_else(|| UpcastError::Missing { event_type: event_type.to_owned(), from: at })?;
        data = step(data).map_err(|reason| UpcastError::Malformed { event_type: event_type.to_owned(), from: at, reason })?;
        at += 1;
    }
    Ok(data)
}
