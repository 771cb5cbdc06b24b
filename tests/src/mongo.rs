//! A fresh MongoDB database per test, dropped afterwards: on the server at
//! `EMPORIUM_TEST_MONGODB_URI` when that is set, else on a SecantusDB started here
//! (`EMPORIUM_SECANTUSD`, else `secantusd-py` on the PATH; `scripts/test.sh`
//! installs it). One server serves all the tests of a process that overlap, and is
//! killed when the last of them drops its database.
//!
//! When neither can be had, [`TestMongo::create`] prints, naming the test, that it
//! was skipped and why, and returns `None`, unless `EMPORIUM_REQUIRE_MONGODB=1`
//! (as `scripts/test.sh` sets for CI), where a missing server fails the test.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use anyhow::Context;
use mongodb::Client;
use mongodb::bson::doc;

/// How long a started SecantusDB gets to answer (a cold Python start on a busy machine).
const START_DEADLINE: Duration = Duration::from_secs(60);

/// The server this process started, while any test uses it.
static SERVER: tokio::sync::Mutex<Weak<Server>> = tokio::sync::Mutex::const_new(Weak::new());

/// A database created for one test; dropped when this guard drops.
#[derive(Debug)]
pub struct TestMongo {
    /// `mongodb://host:port/<database>[?options]`: what the adapter connects to.
    pub uri: String,
    /// The database's name (`emporium_test_<uuid>`).
    pub database: String,
    /// Whether the server is a SecantusDB this process started.
    pub started_here: bool,
    server_uri: String,
    // Dropped after the database (fields drop after `Drop::drop`).
    _server: Option<Arc<Server>>,
}

impl TestMongo {
    /// A fresh database for `test`, or `None` (said loudly) when no MongoDB can be had
    /// and none is required.
    pub async fn create(test: &str) -> anyhow::Result<Option<Self>> {
        let database = format!("emporium_test_{}", uuid::Uuid::now_v7().simple());
        if let Ok(server_uri) = std::env::var("EMPORIUM_TEST_MONGODB_URI") {
            let uri = with_database(&server_uri, &database);
            return Ok(Some(Self { uri, database, started_here: false, server_uri, _server: None }));
        }
        let server = match shared_server().await? {
            Ok(server) => server,
            Err(Unavailable(reason)) => {
                if std::env::var("EMPORIUM_REQUIRE_MONGODB").is_ok_and(|v| v == "1") {
                    anyhow::bail!("MongoDB is required (EMPORIUM_REQUIRE_MONGODB=1) but {reason}");
                }
                eprintln!(
                    "\n*** SKIPPED: MongoDB test `{test}` did not run: {reason}. Set EMPORIUM_TEST_MONGODB_URI, \
                     or install SecantusDB (scripts/test.sh does) and set EMPORIUM_SECANTUSD. ***\n"
                );
                return Ok(None);
            }
        };
        let server_uri = server.uri();
        let uri = with_database(&server_uri, &database);
        Ok(Some(Self { uri, database, started_here: true, server_uri, _server: Some(server) }))
    }

    /// A driver handle on this test's database, for what the port cannot do
    /// (installing a validator, peeking at stored records).
    pub async fn database(&self) -> anyhow::Result<mongodb::Database> {
        let client = Client::with_uri_str(&self.uri).await.context("connecting to the test MongoDB")?;
        Ok(client.database(&self.database))
    }
}

impl Drop for TestMongo {
    fn drop(&mut self) {
        let server_uri = self.server_uri.clone();
        let name = self.database.clone();
        // Drop on a separate thread with its own runtime: Drop cannot be async and the
        // test's runtime may be shutting down.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            rt.block_on(async move {
                if let Ok(client) = Client::with_uri_str(&server_uri).await {
                    let _ = tokio::time::timeout(Duration::from_secs(10), client.database(&name).drop()).await;
                }
            });
        })
        .join();
    }
}

/// `uri` with its path set to `database`, host list and options kept.
pub fn with_database(uri: &str, database: &str) -> String {
    let (base, options) = match uri.split_once('?') {
        Some((base, options)) => (base, Some(options)),
        None => (uri, None),
    };
    let hosts_start = base.find("://").map_or(0, |i| i + 3);
    let hosts_end = base[hosts_start..].find('/').map_or(base.len(), |i| hosts_start + i);
    let mut out = format!("{}/{database}", &base[..hosts_end]);
    if let Some(options) = options {
        out.push('?');
        out.push_str(options);
    }
    out
}

/// Why no server could be started (a skip, or a failure when one is required).
struct Unavailable(String);

/// A SecantusDB child process with its storage; killed on drop.
#[derive(Debug)]
struct Server {
    child: std::sync::Mutex<Child>,
    port: u16,
    _storage: tempfile::TempDir,
}

impl Server {
    fn uri(&self) -> String {
        format!("mongodb://127.0.0.1:{}/", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(mut child) = self.child.lock() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The running server of this process, or a new one.
async fn shared_server() -> anyhow::Result<Result<Arc<Server>, Unavailable>> {
    let mut slot = SERVER.lock().await;
    if let Some(server) = slot.upgrade() {
        return Ok(Ok(server));
    }
    // A port picked free can be taken before the server binds it: try a few.
    let mut last_error = None;
    for _ in 0..3 {
        match start().await {
            Ok(Ok(server)) => {
                let server = Arc::new(server);
                *slot = Arc::downgrade(&server);
                return Ok(Ok(server));
            }
            Ok(Err(unavailable)) => return Ok(Err(unavailable)),
            Err(error) => last_error = Some(error),
        }
    }
    Err(last_error.unwrap_or_else(|| anyhow::anyhow!("SecantusDB did not start")))
}

/// The SecantusDB launcher: `EMPORIUM_SECANTUSD`, else `secantusd-py` on the PATH.
fn launcher() -> PathBuf {
    std::env::var_os("EMPORIUM_SECANTUSD").map_or_else(|| PathBuf::from("secantusd-py"), PathBuf::from)
}

/// Starts SecantusDB on a free loopback port and waits until it answers a ping.
async fn start() -> anyhow::Result<Result<Server, Unavailable>> {
    let program = launcher();
    let storage = tempfile::tempdir()?;
    // An empty config file stops the launcher from picking up ./secantusd.toml or a
    // developer's ~/.secantus/secantusd.toml.
    let config = storage.path().join("secantusd.toml");
    std::fs::write(&config, "")?;
    let log_path = storage.path().join("secantusd.log");
    let log = std::fs::File::create(&log_path)?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let spawned = Command::new(&program)
        .arg("--config")
        .arg(&config)
        .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--cache-size", "64M", "--log-level", "WARNING"])
        .arg("--storage-path")
        .arg(storage.path().join("data"))
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn();
    let child = match spawned {
        Ok(child) => child,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Err(Unavailable(format!("the SecantusDB launcher {} was not found", program.display()))));
        }
        Err(error) => return Err(error).with_context(|| format!("starting {}", program.display())),
    };
    let server = Server { child: std::sync::Mutex::new(child), port, _storage: storage };
    let deadline = Instant::now() + START_DEADLINE;
    let uri = format!("{}?serverSelectionTimeoutMS=500&connectTimeoutMS=500", server.uri());
    let client = Client::with_uri_str(&uri).await.context("building a client for SecantusDB")?;
    loop {
        let exited = server.child.lock().map_err(|_| anyhow::anyhow!("child lock poisoned"))?.try_wait()?;
        if let Some(status) = exited {
            let log = std::fs::read_to_string(&log_path).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(20).collect::<Vec<_>>().into_iter().rev().collect();
            anyhow::bail!("SecantusDB on port {port} exited with {status}:\n{}", tail.join("\n"));
        }
        if client.database("admin").run_command(doc! { "ping": 1 }).await.is_ok() {
            return Ok(Ok(server));
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "SecantusDB on port {port} did not answer within {START_DEADLINE:?} (log: {})",
            log_path.display()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_replaces_the_uri_path_and_keeps_hosts_and_options() {
        assert_eq!(with_database("mongodb://h:1", "d"), "mongodb://h:1/d");
        assert_eq!(with_database("mongodb://h:1/", "d"), "mongodb://h:1/d");
        assert_eq!(
            with_database("mongodb://u:p@h:1,h2:2/old?replicaSet=rs", "d"),
            "mongodb://u:p@h:1,h2:2/d?replicaSet=rs"
        );
        assert_eq!(with_database("mongodb://h:1/?tls=true", "d"), "mongodb://h:1/d?tls=true");
    }
}
