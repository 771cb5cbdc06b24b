//! Upcasters: pure functions lifting an event payload one schema version up.
//!
//! Stored events are immutable; when an event type's shape changes, its schema
//! version goes up and an upcaster from the previous version is registered here.
//! Readers call [`upcast`] before deserializing, so domain code only ever sees the
//! current shape. The registered steps also define each type's current version.
//!
//! Raising a version: bump the type's `schema_version()` in the domain, freeze the
//! old schema file in `history`, add a step below, and let the contract tests prove
//! that the old file's `examples` upcast into valid current payloads.

mod order_created;

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
    /// The payload was written by a newer version of Emporium than this one.
    #[error("{event_type} v{version} is newer than this build's v{current}")]
    Newer {
        /// The event type.
        event_type: String,
        /// The stored version.
        version: u32,
        /// The newest version this build knows.
        current: u32,
    },
}

/// One step: lifts `data` from version `from` to `from + 1`, or says what is wrong with it.
type Step = fn(Value) -> Result<Value, String>;

/// The registered steps: (event type, from version, step).
const STEPS: &[(&str, u32, Step)] = &[("OrderCreated", 1, order_created::v1_to_v2)];

/// The current schema version of an event type (1 when it never changed).
pub fn current_version(event_type: &str) -> u32 {
    STEPS.iter().filter(|(t, _, _)| *t == event_type).map(|(_, from, _)| from + 1).max().unwrap_or(1)
}

/// Lifts a payload stored at `version` to the current version of `event_type`.
pub fn upcast(event_type: &str, version: u32, mut data: Value) -> Result<Value, UpcastError> {
    let target = current_version(event_type);
    if version > target {
        return Err(UpcastError::Newer { event_type: event_type.to_owned(), version, current: target });
    }
    let mut at = version;
    while at < target {
        let step = STEPS
            .iter()
            .find(|(t, from, _)| *t == event_type && *from == at)
            .map(|(_, _, step)| *step)
            .ok_or_else(|| UpcastError::Missing { event_type: event_type.to_owned(), from: at })?;
        data = step(data).map_err(|reason| UpcastError::Malformed {
            event_type: event_type.to_owned(),
            from: at,
            reason,
        })?;
        at += 1;
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn unchanged_types_are_at_version_one_and_pass_through() {
        assert_eq!(current_version("OrderShipped"), 1);
        let data = json!({ "anything": true });
        assert_eq!(upcast("OrderShipped", 1, data.clone()).unwrap(), data);
    }

    #[test]
    fn a_version_from_the_future_is_refused() {
        let err = upcast("OrderShipped", 2, json!({})).unwrap_err();
        assert!(matches!(err, UpcastError::Newer { version: 2, current: 1, .. }), "{err}");
    }

    #[test]
    fn every_type_has_a_step_from_each_older_version() {
        for (event_type, _, _) in STEPS {
            for from in 1..current_version(event_type) {
                let has_step = STEPS.iter().any(|(t, f, _)| t == event_type && *f == from);
                assert!(has_step, "{event_type}: no step from v{from}");
            }
        }
    }
}
