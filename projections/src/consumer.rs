//! A projector as a log consumer: each projector follows the log on its own, with its
//! own checkpoint (its name) and, on the bus, its own durable consumer.

use std::sync::Arc;

use async_trait::async_trait;
use emporium_infra::event_store::RecordedEvent;
use emporium_infra::follow::{ConsumeError, Consumer};
use emporium_infra::read_store::{DocWrite, ReadStore};

use crate::Projector;
use crate::batch::project_batch;

/// One projector writing one read store.
pub struct Projection {
    projector: Arc<dyn Projector>,
    store: Arc<dyn ReadStore>,
}

impl std::fmt::Debug for Projection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Projection").field("projector", &self.projector.name()).finish_non_exhaustive()
    }
}

impl Projection {
    /// `projector` keeping its documents and checkpoint in `store`.
    pub fn new(projector: Arc<dyn Projector>, store: Arc<dyn ReadStore>) -> Self {
        Self { projector, store }
    }
}

#[async_trait]
impl Consumer for Projection {
    fn name(&self) -> &str {
        self.projector.name()
    }

    fn store(&self) -> &Arc<dyn ReadStore> {
        &self.store
    }

    async fn handle(&self, batch: &[RecordedEvent]) -> Result<Vec<DocWrite>, ConsumeError> {
        Ok(project_batch(&self.store, self.projector.as_ref(), batch).await?)
    }
}
