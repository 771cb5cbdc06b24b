//! The event a saga step reacts to: the source of every id the step derives and of
//! the correlation its commands carry.

use emporium_domain::ids::OrderId;
use emporium_infra::event_store::{EventMetadata, RecordedEvent};
use uuid::Uuid;

use super::ids;

/// Who the saga's commands say acted; also how the saga recognises its own events.
pub const ACTOR: &str = "saga:order_fulfilment";

/// The event that triggered a step.
#[derive(Debug, Clone)]
pub(super) struct Trigger {
    /// The event's id: the seed of every command id of the step.
    pub event_id: Uuid,
    /// The order the event is about.
    pub order_id: OrderId,
    /// The event's version within the order stream.
    pub stream_version: u64,
    /// Correlation and trace of the event, carried on.
    metadata: EventMetadata,
}

impl Trigger {
    /// The trigger for a recorded order event.
    pub fn new(recorded: &RecordedEvent, order_id: OrderId) -> Self {
        Self {
            event_id: recorded.event_id,
            order_id,
            stream_version: recorded.stream_version,
            metadata: recorded.metadata.clone(),
        }
    }

    /// The id of the command `step` issues for this trigger.
    pub fn command_id(&self, step: &str) -> Uuid {
        ids::command_id(self.event_id, step)
    }

    /// Metadata for the commands of this step: the checkout's correlation and trace,
    /// the saga as actor (the handler sets the causation to the command id).
    pub fn metadata(&self) -> EventMetadata {
        EventMetadata {
            correlation_id: self.metadata.correlation_id.or(Some(self.event_id)),
            causation_id: None,
            actor: Some(ACTOR.to_owned()),
            traceparent: self.metadata.traceparent.clone(),
        }
    }
}
