//! The projector trait: how one event becomes document writes.

use async_trait::async_trait;
use emporium_domain::DomainEvent;
use emporium_infra::event_store::RecordedEvent;
use emporium_infra::read_store::DocWrite;

use crate::{Documents, ProjectionError};

/// Turns events into read-model documents.
///
/// A projector is deterministic: replaying the log from position 0 rebuilds its
/// documents. It reads current documents through [`Documents`], which already
/// reflects the writes it returned for earlier events of the same batch, so a
/// read-modify-write of one document across several events of a batch is safe.
#[async_trait]
pub trait Projector: Send + Sync + 'static {
    /// Stable name; keys the checkpoint (`catalog`, `orders`).
    fn name(&self) -> &'static str;

    /// The collections this projector alone writes; a rebuild empties them.
    fn collections(&self) -> &'static [&'static str];

    /// The writes one event causes; events of other categories yield none.
    async fn project(&self, event: &RecordedEvent, docs: &Documents) -> Result<Vec<DocWrite>, ProjectionError>;
}

/// Decodes a recorded event into an aggregate's event enum, with context on failure.
pub fn decode<E: DomainEvent>(event: &RecordedEvent) -> Result<E, ProjectionError> {
    emporium_infra::codec::decode::<E>(event).map_err(|source| ProjectionError::Decode {
        event_type: event.event_type.clone(),
        position: event.global_position,
        source,
    })
}
