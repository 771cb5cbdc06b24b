//! NATS servers the tests start themselves: `nats-server` processes with JetStream on
//! free loopback ports and their own storage directories, never the machine's shared
//! server on 4222. A single node, or a cluster of nodes routed to each other; each is
//! killed when dropped.
//!
//! The binary is `NATS_SERVER_BIN`, else `nats-server` on the `PATH`, else
//! `/usr/sbin/nats-server` (Debian's package).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::Context;

/// How long a server may take to answer, with JetStream ready.
const START_WITHIN: Duration = Duration::from_secs(30);

/// One running `nats-server`.
#[derive(Debug)]
pub struct NatsServer {
    child: Option<Child>,
    /// `nats://127.0.0.1:<port>`.
    pub url: String,
    /// The client port.
    pub port: u16,
    /// The server's arguments (kept for restarts).
    args: Vec<String>,
    /// JetStream storage and the server's log (`server.log`).
    dir: tempfile::TempDir,
}

/// Several servers routed into one JetStream cluster.
#[derive(Debug)]
pub struct NatsCluster {
    /// The nodes, in start order.
    pub nodes: Vec<NatsServer>,
}

/// The `nats-server` binary.
pub fn binary() -> anyhow::Result<PathBuf> {
    crate::binaries::server_binary("nats-server", "NATS_SERVER_BIN", "/usr/sbin/nats-server")
}

/// A port that was free a moment ago on 127.0.0.1.
pub fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl NatsServer {
    /// A single JetStream node on a free port; returns once it answers.
    pub async fn start() -> anyhow::Result<Self> {
        let port = free_port()?;
        Self::launch(port, Vec::new(), true).await
    }

    async fn launch(port: u16, extra: Vec<String>, wait_for_jetstream: bool) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let mut args: Vec<String> =
            ["-a", "127.0.0.1", "-p", &port.to_string(), "-js", "-sd"].iter().map(|s| (*s).to_owned()).collect();
        args.push(dir.path().join("jetstream").display().to_string());
        args.extend(extra);
        let mut server = Self { child: None, url: format!("nats://127.0.0.1:{port}"), port, args, dir };
        server.spawn()?;
        if wait_for_jetstream {
            server.wait_ready().await?;
        }
        Ok(server)
    }

    fn spawn(&mut self) -> anyhow::Result<()> {
        let log = std::fs::OpenOptions::new().create(true).append(true).open(self.log_path())?;
        let child = Command::new(binary()?)
            .args(&self.args)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .context("starting nats-server")?;
        self.child = Some(child);
        Ok(())
    }

    /// Where the server writes its log.
    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    /// The JetStream storage directory.
    pub fn store_dir(&self) -> PathBuf {
        self.dir.path().join("jetstream")
    }

    /// Waits until a client can connect and JetStream answers, or fails at the deadline
    /// with the server's log.
    pub async fn wait_ready(&self) -> anyhow::Result<()> {
        wait_jetstream(&self.url, START_WITHIN).await.with_context(|| self.log_tail())
    }

    /// The last lines of the server's log (for failure messages).
    pub fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.log_path()).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        format!("nats-server on port {} logged:\n{}", self.port, lines[lines.len().saturating_sub(30)..].join("\n"))
    }

    /// Kills the server at once (SIGKILL), keeping its storage for [`restart`](Self::restart).
    pub fn kill(&mut self) -> anyhow::Result<()> {
        if let Some(mut child) = self.child.take() {
            child.kill().context("killing nats-server")?;
            child.wait().context("reaping nats-server")?;
        }
        Ok(())
    }

    /// Starts the server again on the same port and storage; returns once it answers.
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        self.kill()?;
        self.spawn()?;
        self.wait_ready().await
    }

    /// A plain client connection (for checks that must not go through our code).
    pub async fn client(&self) -> anyhow::Result<async_nats::Client> {
        async_nats::connect(&self.url).await.with_context(|| format!("connecting to {}", self.url))
    }

    /// A JetStream context on a plain client.
    pub async fn jetstream(&self) -> anyhow::Result<async_nats::jetstream::Context> {
        Ok(async_nats::jetstream::new(self.client().await?))
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        let _ = self.kill();
    }
}

impl NatsCluster {
    /// `size` JetStream nodes routed to each other on loopback ports; returns once a
    /// client can connect and JetStream (with its meta leader) answers on every node.
    ///
    /// Ports are picked free and bound a moment later by the servers, so another test
    /// may take one in between: a start that fails with "address already in use" is
    /// tried again on new ports (at most three times).
    pub async fn start(size: usize) -> anyhow::Result<Self> {
        let mut attempt = 1;
        loop {
            match Self::start_once(size).await {
                Err(error) if attempt < 3 && format!("{error:#}").contains("address already in use") => {
                    eprintln!("nats cluster: a port was taken before its server bound it; retrying on new ports");
                    attempt += 1;
                }
                result => return result,
            }
        }
    }

    async fn start_once(size: usize) -> anyhow::Result<Self> {
        anyhow::ensure!(size >= 1, "a cluster needs at least one node");
        let name = format!("emporium-test-{}", uuid::Uuid::now_v7().simple());
        let client_ports: Vec<u16> = (0..size).map(|_| free_port()).collect::<anyhow::Result<_>>()?;
        let route_ports: Vec<u16> = (0..size).map(|_| free_port()).collect::<anyhow::Result<_>>()?;
        let routes: Vec<String> = route_ports.iter().map(|port| format!("nats://127.0.0.1:{port}")).collect();
        let mut nodes = Vec::with_capacity(size);
        for (index, (client, route)) in client_ports.iter().zip(&route_ports).enumerate() {
            let others: Vec<&str> =
                routes.iter().enumerate().filter(|(other, _)| *other != index).map(|(_, r)| r.as_str()).collect();
            let extra = vec![
                "--server_name".to_owned(),
                format!("{name}-n{index}"),
                "--cluster_name".to_owned(),
                name.clone(),
                "--cluster".to_owned(),
                format!("nats://127.0.0.1:{route}"),
                "--routes".to_owned(),
                others.join(","),
            ];
            nodes.push(NatsServer::launch(*client, extra, false).await?);
        }
        let cluster = Self { nodes };
        for node in &cluster.nodes {
            node.wait_ready().await?;
        }
        Ok(cluster)
    }

    /// Every node's URL, comma-separated (the `--bus` form).
    pub fn urls(&self) -> String {
        self.nodes.iter().map(|node| node.url.as_str()).collect::<Vec<_>>().join(",")
    }
}

/// Waits until the server at `url` accepts a client and answers a JetStream account
/// request, or fails after `within`.
pub async fn wait_jetstream(url: &str, within: Duration) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + within;
    let mut last_error = String::from("never tried");
    while tokio::time::Instant::now() < deadline {
        let attempt = async {
            let client = async_nats::ConnectOptions::new()
                .connection_timeout(Duration::from_secs(1))
                .connect(url)
                .await
                .map_err(|error| format!("connect: {error}"))?;
            // Asked by hand: the client's typed account info does not parse 2.9's answer.
            let reply =
                client.request("$JS.API.INFO", "".into()).await.map_err(|error| format!("JetStream: {error}"))?;
            let info: serde_json::Value =
                serde_json::from_slice(&reply.payload).map_err(|error| format!("JetStream answered: {error}"))?;
            match info.get("error") {
                Some(error) => Err(format!("JetStream: {error}")),
                None => Ok::<(), String>(()),
            }
        };
        match tokio::time::timeout(Duration::from_secs(3), attempt).await {
            Ok(Ok(())) => return Ok(()),
            Ok(Err(error)) => last_error = error,
            Err(_) => last_error = "timed out".to_owned(),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("nats-server at {url} did not answer within {within:?} (last: {last_error})")
}
