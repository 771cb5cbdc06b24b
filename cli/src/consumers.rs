//! Where this process's consumers read the log: the event store's own tail by
//! default, a durable JetStream pull consumer each with `--bus nats://…`.

use std::sync::Arc;

use anyhow::Context;
use emporium_infra::bus::{self, JetStreamSource};
use emporium_infra::event_store::EventStore;
use emporium_infra::follow::{EventSource, StoreTail};

use crate::config::BusArgs;

/// The source `--bus` names; `process` names this process on the NATS server.
pub async fn source(bus: &BusArgs, events: Arc<dyn EventStore>, process: &str) -> anyhow::Result<Arc<dyn EventSource>> {
    match &bus.bus {
        None => Ok(Arc::new(StoreTail::new(events))),
        Some(servers) => {
            let js = bus::connect(servers, &format!("emporium-{process}")).await.context("--bus")?;
            let source = JetStreamSource::new(&js, usize::from(bus.bus_replicas))
                .await
                .context("opening the EMPORIUM_EVENTS stream")?;
            tracing::info!(replicas = bus.bus_replicas, "consumers read JetStream");
            Ok(Arc::new(source))
        }
    }
}
