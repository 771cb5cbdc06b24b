//! `emporium projector [NAME…]`: projectors alone, each its own consumer (its own
//! checkpoint, and its own durable consumer with `--bus`), with `/health` and
//! `/health/ready` on `--port`. Several processes may run different names at once.

use std::net::SocketAddr;

use anyhow::Context;
use emporium_infra::follow::Health;
use emporium_projections::ProjectionRunner;
use emporium_read_api::health::{self, HealthState};

use crate::config::ProjectorArgs;
use crate::serve::shutdown_signal;
use crate::{consumers, http, projections, stores};

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
    let app =
        http::finish(health::router(HealthState { events, consumers: health, applied: None, parked_in: vec![reads] }));
    let address = SocketAddr::new(args.bind, args.port);
    let listener = tokio::net::TcpListener::bind(address).await.with_context(|| format!("binding {address}"))?;
    let local = listener.local_addr().context("reading the bound address")?;
    tracing::info!(address = %local, "emporium listening");
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await.context("serving HTTP")?;
    running.stop().await;
    tracing::info!("projectors stopped");
    Ok(())
}
