//! `emporium projector [NAME…]`: projectors alone, each its own consumer (its own
//! checkpoint, and its own durable consumer with `--bus`), with `/health` and
//! `/health/ready` on `--port`. Several processes may run different names at once.

use anyhow::Context;
use emporium_infra::follow::Health;
use emporium_projections::ProjectionRunner;
use emporium_read_api::health::HealthState;

use crate::config::ProjectorArgs;
use crate::{consumers, probe, projections, stores};

/// Runs the named projectors until Ctrl-C or SIGTERM.
pub async fn run(args: ProjectorArgs) -> anyhow::Result<()> {
    let projectors = projections::named(&args.names)?;
    let names: Vec<&str> = projectors.iter().map(|p| p.name()).collect();
    let events = stores::event_store(&args.store).await?;
    let reads = stores::read_store(&args.store).await?;
    let source = consumers::source(&args.bus, events.clone(), "projector").await?;
    let health = Health::new();
    tracing::info!(projectors = ?names, source = source.kind(), "starting projectors");
    let running = ProjectionRunner::with_source(source, reads.clone(), projectors).with_health(health.clone()).spawn();
    let state = HealthState { events, consumers: health, applied: None, parked_in: vec![reads] };
    let served = probe::serve(&args.probe, state).await?.await.context("the health server panicked");
    running.stop().await;
    tracing::info!("projectors stopped");
    served?
}
