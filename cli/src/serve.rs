//! `emporium serve`: everything in one process on one port.

use std::net::SocketAddr;

use anyhow::Context;
use axum::Router;
use emporium_projections::ProjectionRunner;
use emporium_read_api::health::{self, HealthState};

use crate::config::ServeArgs;
use crate::stores;

/// Starts the stores and the HTTP server; returns after Ctrl-C (or SIGTERM) once
/// in-flight requests have finished.
pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let events = stores::event_store(&args.store).await?;
    let reads = stores::read_store(&args.store).await?;
    // The embedded default feeds the read models in-process from the event store's tail.
    let projections = ProjectionRunner::new(events.clone(), reads, emporium_projections::models::all()).spawn();
    let app = Router::new().merge(health::router(HealthState { events, projected: Some(projections.applied()) }));
    let address = SocketAddr::new(args.bind, args.port);
    let listener = tokio::net::TcpListener::bind(address).await.with_context(|| format!("binding {address}"))?;
    let local = listener.local_addr().context("reading the bound address")?;
    tracing::info!(address = %local, data_dir = %args.store.data_dir.display(), "emporium listening");
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await.context("serving HTTP")?;
    projections.stop().await.context("stopping the projections")?;
    tracing::info!("emporium stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received; shutting down"),
        () = terminate => tracing::info!("SIGTERM received; shutting down"),
    }
}
