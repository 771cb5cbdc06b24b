//! The reads baseline: a bare axum server on a loopback port that answers one path
//! with fixed bytes from memory (no store, no middleware).

use std::net::SocketAddr;

use anyhow::Context;
use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderValue, header};
use axum::routing::get;
use tokio::sync::oneshot;

/// A running bare server.
pub struct Bare {
    /// Where it listens.
    pub address: SocketAddr,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Bare {
    /// Serves `body` with `content_type` at `path`.
    pub async fn start(path: &str, content_type: HeaderValue, body: Bytes) -> anyhow::Result<Self> {
        let answer = move || {
            let (content_type, body) = (content_type.clone(), body.clone());
            async move { ([(header::CONTENT_TYPE, content_type)], body) }
        };
        let app = Router::new().route(path, get(answer));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.context("binding a loopback port")?;
        let address = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await
        });
        Ok(Self { address, stop, task })
    }

    /// Stops it.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        Ok(self.task.await.context("the bare server panicked")??)
    }
}
