//! A load client that GETs one path on its own keep-alive connection and insists on 200.

use std::time::{Duration, Instant};

use super::http_client::Connection;
use super::load::Operation;

/// GETs `path` over and over on one connection.
pub struct GetClient {
    connection: Connection,
    path: String,
}

impl GetClient {
    /// `count` clients, each with its own connection to `address`.
    pub async fn many(address: std::net::SocketAddr, path: &str, count: usize) -> anyhow::Result<Vec<Self>> {
        let mut clients = Vec::with_capacity(count);
        for _ in 0..count {
            clients.push(Self { connection: Connection::open(address).await?, path: path.to_owned() });
        }
        Ok(clients)
    }
}

impl Operation for GetClient {
    async fn call(&mut self, scheduled: Instant) -> anyhow::Result<Vec<Duration>> {
        self.connection.get(&self.path, &[]).await?.success(&self.path)?;
        Ok(vec![scheduled.elapsed()])
    }
}
