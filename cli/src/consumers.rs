//! Where this process's consumers read the log: the event store's own tail by
//! default, a durable JetStream pull consumer each with `--bus nats://…`.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use emporium_infra::bus::{self, JetStreamSource};
use emporium_infra::event_store::EventStore;
use emporium_infra::follow::{EventSource, StoreTail};

use crate::config::BusArgs;

/// How long a starting process waits for JetStream before it gives up.
const STARTUP_PATIENCE: Duration = Duration::from_secs(120);

/// The source `--bus` names; `process` names this process on the NATS server.
pub async fn source(bus: &BusArgs, events: Arc<dyn EventStore>, process: &str) -> anyhow::Result<Arc<dyn EventSource>> {
    match &bus.bus {
        None => Ok(Arc::new(StoreTail::new(events))),
        Some(servers) => {
            // A cluster that is still electing its leaders (or a server still starting)
            // answers with timeouts for a while: keep asking, then give up loudly.
            let deadline = tokio::time::Instant::now() + STARTUP_PATIENCE;
            loop {
                let attempt = async {
                    let js = bus::connect(servers, &format!("emporium-{process}")).await.context("--bus")?;
                    JetStreamSource::new(&js, usize::from(bus.bus_replicas))
                        .await
                        .context("opening the EMPORIUM_EVENTS stream")
                };
                match attempt.await {
                    Ok(source) => {
                        tracing::info!(replicas = bus.bus_replicas, "consumers read JetStream");
                        return Ok(Arc::new(source));
                    }
                    Err(error) if tokio::time::Instant::now() < deadline => {
                        tracing::warn!(error = format!("{error:#}"), "JetStream not ready; trying again");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                    Err(error) => return Err(error),
                }
            }
        }
    }
}
