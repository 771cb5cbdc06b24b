//! Redis servers the tests start themselves (the shared rate-limit store): a
//! `redis-server` on a free loopback port, without persistence, killed when dropped.
//! Never the machine's shared server on 6379.
//!
//! The binary is `REDIS_SERVER_BIN`, else `redis-server` on the `PATH`, else
//! `/usr/bin/redis-server` (Debian's package).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::nats::free_port;

/// How long a server may take to accept connections.
const START_WITHIN: Duration = Duration::from_secs(20);

/// One running `redis-server`.
#[derive(Debug)]
pub struct RedisServer {
    child: Child,
    /// `redis://127.0.0.1:<port>`.
    pub url: String,
    _dir: tempfile::TempDir,
}

/// The `redis-server` binary.
pub fn binary() -> anyhow::Result<PathBuf> {
    crate::binaries::server_binary("redis-server", "REDIS_SERVER_BIN", "/usr/bin/redis-server")
}

impl RedisServer {
    /// A server on a free port; returns once it accepts connections.
    pub async fn start() -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let port = free_port()?;
        let child = Command::new(binary()?)
            .args(["--bind", "127.0.0.1", "--port", &port.to_string(), "--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting redis-server")?;
        let server = Self { child, url: format!("redis://127.0.0.1:{port}"), _dir: dir };
        let deadline = Instant::now() + START_WITHIN;
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            anyhow::ensure!(Instant::now() < deadline, "redis-server did not listen on {port} within {START_WITHIN:?}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(server)
    }

    /// Kills the server at once (an outage of the shared store).
    pub fn kill(&mut self) -> anyhow::Result<()> {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
