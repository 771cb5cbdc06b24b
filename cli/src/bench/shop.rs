//! A real shop in this process: `serve` (both APIs, projections, process managers)
//! on a free loopback port, over a scratch store, stopped between runs; and the
//! typed calls the scenarios make on it.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use serde_json::json;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::http_client::Connection;
use super::scratch::Scratch;
use crate::config::{Cli, Command};
use crate::serve::{Parts, serve_on};

/// The admin account the harness logs in as.
const ADMIN_EMAIL: &str = "bench-admin@emporium.test";
/// Its password (a scratch shop's only account).
const ADMIN_PASSWORD: &str = "bench-admin-password";

/// A running shop.
pub struct Shop {
    /// Where it listens.
    pub address: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<anyhow::Result<()>>,
}

impl Shop {
    /// Starts `serve` on `scratch`'s stores, as the command line would (same
    /// defaults, same wiring), and waits until `/health` answers.
    pub async fn start(scratch: &Scratch) -> anyhow::Result<Self> {
        let mut argv: Vec<String> = ["emporium", "serve", "--port", "0", "--mail", "log"].map(String::from).to_vec();
        // The load generator is one client on loopback: per-client limits would measure themselves.
        argv.extend(["--rate-limit", "0", "--auth-rate-limit", "0"].map(String::from));
        argv.extend(scratch.store_flags());
        argv.extend(["--admin-email", ADMIN_EMAIL, "--admin-password", ADMIN_PASSWORD].map(String::from));
        let Command::Serve(args) = Cli::try_parse_from(argv)?.command else {
            anyhow::bail!("`serve` did not parse as serve");
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.context("binding a loopback port")?;
        let address = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve_on(args, Parts::Both, listener, async move {
            let _ = stopped.await;
        }));
        let shop = Self { address, stop, task };
        shop.wait_until_healthy().await?;
        Ok(shop)
    }

    async fn wait_until_healthy(&self) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            anyhow::ensure!(!self.task.is_finished(), "the shop stopped while starting (see its log)");
            if let Ok(mut connection) = Connection::open(self.address).await
                && connection.get("/health", &[]).await.is_ok_and(|answer| answer.status.is_success())
            {
                return Ok(());
            }
            anyhow::ensure!(Instant::now() < deadline, "the shop did not answer /health within 60 s");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Stops it gracefully and waits for its consumers to stop.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        self.task.await.context("the shop panicked")?
    }

    /// A fresh connection to it.
    pub async fn connect(&self) -> anyhow::Result<Connection> {
        Connection::open(self.address).await
    }

    /// The admin's access token.
    pub async fn admin_token(&self) -> anyhow::Result<String> {
        let body = json!({ "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD });
        let answer = self.connect().await?.post_json("/api/v1/users/login", None, &body).await?.success("login")?;
        answer.json()?["data"]["access_token"].as_str().map(str::to_owned).context("login answered without a token")
    }

    /// Creates `count` products (SKU `BENCH-<n>`, stock 1000) through the write API;
    /// returns their ids and the position of the last one.
    pub async fn create_products(&self, token: &str, count: usize) -> anyhow::Result<(Vec<String>, u64)> {
        let mut connection = self.connect().await?;
        let (mut ids, mut position) = (Vec::with_capacity(count), 0);
        for n in 0..count {
            let body = json!({
                "name": format!("Bench product {n}"),
                "description": "A product the benchmark harness made.",
                "sku": format!("BENCH-{n}"),
                "price": { "amount": 1999, "currency": "USD" },
                "stock": 1000,
            });
            let answer =
                connection.post_json("/api/v1/products", Some(token), &body).await?.success("create product")?;
            position = position.max(answer.position()?);
            ids.push(
                answer.json()?["data"]["id"].as_str().context("create product answered without an id")?.to_owned(),
            );
        }
        Ok((ids, position))
    }
}
