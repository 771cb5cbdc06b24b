//! Where this process's consumers read the log: the event store's own tail by
//! default, a durable JetStream pull consumer each with `--bus nats://…`.

use std::sync::Arc;

use emporium_infra::event_store::EventStore;
use emporium_infra::follow::{EventSource, StoreTail};

use crate::config::BusArgs;

/// The source `--bus` names.
pub async fn source(bus: &BusArgs, events: Arc<dyn EventStore>) -> anyhow::Result<Arc<dyn EventSource>> {
    match &bus.bus {
        None => Ok(Arc::new(StoreTail::new(events))),
        Some(url) => {
            anyhow::bail!("--bus {url}: the JetStream source is not wired in yet (replicas {})", bus.bus_replicas)
        }
    }
}
