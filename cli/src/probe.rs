//! The HTTP side of processes that serve nothing but their health (`relay`,
//! `projector`): `/health` and `/health/ready` on `--bind`/`--port`, until shutdown.

use std::net::SocketAddr;

use anyhow::Context;
use emporium_read_api::health::{self, HealthState};
use tokio::task::JoinHandle;

use crate::config::ProbeArgs;
use crate::http;
use crate::signals::shutdown_signal;

/// Binds the probe port and serves health on a task of its own, which ends after
/// Ctrl-C or SIGTERM (once in-flight probes are answered).
pub async fn serve(args: &ProbeArgs, state: HealthState) -> anyhow::Result<JoinHandle<anyhow::Result<()>>> {
    let address = SocketAddr::new(args.bind, args.port);
    let listener = tokio::net::TcpListener::bind(address).await.with_context(|| format!("binding {address}"))?;
    let local = listener.local_addr().context("reading the bound address")?;
    tracing::info!(address = %local, "emporium listening");
    let app = http::finish(health::router(state));
    Ok(tokio::spawn(async move {
        axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await.context("serving health")
    }))
}
