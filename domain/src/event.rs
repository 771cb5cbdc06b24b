//! What every domain event can tell about itself, and the union of all of them.

use serde::{Serialize, de::DeserializeOwned};

/// A past-tense fact recorded by an aggregate.
///
/// Every aggregate's event enum is serialized adjacently tagged
/// (`#[serde(tag = "event_type", content = "data")]`) so the envelope can carry the
/// variant name as `event_type` and the payload as `data`. Variant names are unique
/// across all aggregates, so an `event_type` names exactly one schema.
pub trait DomainEvent:
    Serialize + DeserializeOwned + Clone + std::fmt::Debug + PartialEq + Send + Sync + 'static
{
    /// The variant name, e.g. `OrderCreated`.
    fn event_type(&self) -> &'static str;

    /// The current schema version of this event type (starts at 1).
    fn schema_version(&self) -> u32 {
        1
    }
}
