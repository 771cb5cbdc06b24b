//! The real `emporium serve` binary on port 0 with a fresh data dir (and, for the
//! PostgreSQL variant, a fresh database), driven over HTTP with typed helpers.
//!
//! The binary is found next to the test executable (`target/<profile>/emporium`,
//! built by `cargo nextest run --workspace`) or at `EMPORIUM_BIN`.

mod response;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use reqwest::Method;
use serde_json::{Value, json};

use crate::postgres::TestDatabase;

pub use response::ApiResponse;

/// The admin account every test app starts with.
pub const ADMIN_EMAIL: &str = "admin@emporium.test";
/// Its password.
pub const ADMIN_PASSWORD: &str = "admin-password-for-tests";

/// A running shop.
#[derive(Debug)]
pub struct TestApp {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// The `--data-dir`.
    pub data_dir: tempfile::TempDir,
    /// The subcommand it runs (`serve`, `write-api`, `read-api`, `saga`, `projector`).
    command: String,
    /// The flags beyond the defaults (kept for restarts).
    args: Vec<String>,
    client: reqwest::Client,
    /// Every line the process logged so far (JSON), across restarts.
    logs: Arc<Mutex<Vec<String>>>,
    _database: Option<TestDatabase>,
}

/// Where the `emporium` binary is.
pub fn binary() -> anyhow::Result<PathBuf> {
    if let Ok(path) = std::env::var("EMPORIUM_BIN") {
        return Ok(PathBuf::from(path));
    }
    let exe = std::env::current_exe()?;
    let profile_dir = exe.parent().and_then(Path::parent).context("locating the target directory")?;
    let binary = profile_dir.join("emporium");
    anyhow::ensure!(
        binary.exists(),
        "{} is missing: build it with `cargo build -p emporium` (scripts/test.sh does) or set EMPORIUM_BIN",
        binary.display()
    );
    Ok(binary)
}

impl TestApp {
    /// The shop on the embedded default (SQLite under a temporary data dir).
    pub async fn spawn() -> anyhow::Result<Self> {
        Self::spawn_with(None, &[]).await
    }

    /// The shop with its event store, read store and account store on a fresh PostgreSQL database.
    pub async fn spawn_postgres() -> anyhow::Result<Self> {
        let database = TestDatabase::create().await?;
        Self::spawn_with(Some(database), &[]).await
    }

    /// The shop with extra `serve` flags.
    pub async fn spawn_with(database: Option<TestDatabase>, extra: &[&str]) -> anyhow::Result<Self> {
        let data_dir = tempfile::tempdir()?;
        let mut args: Vec<String> = extra.iter().map(|arg| (*arg).to_owned()).collect();
        if let Some(db) = &database {
            for flag in ["--event-store", "--read-store", "--account-store"] {
                args.extend([flag.to_owned(), db.url.clone()]);
            }
        }
        Self::spawn_command("serve", data_dir, args, database)
    }

    /// One part of a distributed deployment (`write-api`, `read-api`, `saga`,
    /// `projector`) with `args`, on its own data dir; `database` is dropped with it.
    pub fn spawn_command(
        command: &str,
        data_dir: tempfile::TempDir,
        args: Vec<String>,
        database: Option<TestDatabase>,
    ) -> anyhow::Result<Self> {
        let logs = Arc::default();
        let (child, base) = launch(data_dir.path(), command, &args, &logs)?;
        let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?;
        Ok(Self { child, base, data_dir, command: command.to_owned(), args, client, logs, _database: database })
    }

    /// The `--event-store`/`--read-store`/`--account-store` flags it runs with (none on
    /// the embedded default), for other subcommands on the same stores.
    pub fn store_flags(&self) -> Vec<String> {
        let Some(database) = &self._database else { return Vec::new() };
        ["--event-store", "--read-store", "--account-store"]
            .into_iter()
            .flat_map(|flag| [flag.to_owned(), database.url.clone()])
            .collect()
    }

    /// Kills the process at once (SIGKILL: no graceful shutdown, as in a crash).
    pub fn kill(&mut self) -> anyhow::Result<()> {
        self.child.kill().context("killing emporium serve")?;
        self.child.wait().context("reaping emporium serve")?;
        Ok(())
    }

    /// Asks the process to stop (SIGTERM, as a service manager does) and waits up to
    /// `wait` for it to exit; returns its exit code (`None`: ended by a signal).
    pub fn terminate(&mut self, wait: Duration) -> anyhow::Result<Option<i32>> {
        let sent = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status()?;
        anyhow::ensure!(sent.success(), "kill -TERM failed");
        let deadline = std::time::Instant::now() + wait;
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok(status.code());
            }
            if std::time::Instant::now() >= deadline {
                self.kill()?;
                anyhow::bail!("emporium serve did not stop within {wait:?} of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Starts the shop again on the same data dir and stores, with the same flags
    /// (and a new port: `base` changes). Call after [`kill`](Self::kill).
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        let (child, base) = launch(self.data_dir.path(), &self.command, &self.args, &self.logs)?;
        self.child = child;
        self.base = base;
        Ok(())
    }

    /// The lines the process logged so far (JSON lines at `info` and above).
    pub fn log_lines(&self) -> Vec<String> {
        self.logs.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Sends a request; `body` goes as JSON.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> anyhow::Result<ApiResponse> {
        self.send(method, path, token, body, &[]).await
    }

    /// Sends a request with extra headers.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> anyhow::Result<ApiResponse> {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        ApiResponse::read(request.send().await?).await
    }

    /// Sends raw bytes with a content type (for malformed-body tests).
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> anyhow::Result<ApiResponse> {
        let mut request =
            self.client.request(method, format!("{}{path}", self.base)).header("content-type", content_type).body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        ApiResponse::read(request.send().await?).await
    }

    /// POSTs raw bytes with headers, byte for byte (for signed webhook deliveries,
    /// whose signature covers the exact body).
    pub async fn post_bytes(&self, path: &str, headers: &[(&str, &str)], body: Vec<u8>) -> anyhow::Result<ApiResponse> {
        let mut request = self.client.post(format!("{}{path}", self.base)).body(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        ApiResponse::read(request.send().await?).await
    }

    /// GET.
    pub async fn get(&self, path: &str, token: Option<&str>) -> anyhow::Result<ApiResponse> {
        self.request(Method::GET, path, token, None).await
    }

    /// GET that first waits for the read models to reach `position`.
    pub async fn get_after(&self, path: &str, token: Option<&str>, position: u64) -> anyhow::Result<ApiResponse> {
        let position = position.to_string();
        self.send(Method::GET, path, token, None, &[("X-Emporium-Min-Position", &position)]).await
    }

    /// POST JSON.
    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> anyhow::Result<ApiResponse> {
        self.request(Method::POST, path, token, Some(body)).await
    }

    /// PUT JSON.
    pub async fn put(&self, path: &str, token: Option<&str>, body: &Value) -> anyhow::Result<ApiResponse> {
        self.request(Method::PUT, path, token, Some(body)).await
    }

    /// DELETE.
    pub async fn delete(&self, path: &str, token: Option<&str>) -> anyhow::Result<ApiResponse> {
        self.request(Method::DELETE, path, token, None).await
    }

    /// Logs in and returns the access token.
    pub async fn login(&self, email: &str, password: &str) -> anyhow::Result<String> {
        let response = self.post("/api/v1/users/login", None, &json!({ "email": email, "password": password })).await?;
        anyhow::ensure!(response.status == 200, "login of {email} failed: {response}");
        Ok(response.data()["access_token"].as_str().context("no access_token")?.to_owned())
    }

    /// The seeded admin's access token.
    pub async fn admin_token(&self) -> anyhow::Result<String> {
        self.login(ADMIN_EMAIL, ADMIN_PASSWORD).await
    }

    /// Registers a customer, verifies the e-mail through the mailed link, logs in.
    /// Returns (customer id, access token).
    pub async fn customer(&self, email: &str) -> anyhow::Result<(String, String)> {
        let password = "correct horse battery staple";
        let registered = self
            .post(
                "/api/v1/users/register",
                None,
                &json!({ "email": email, "password": password, "name": "Test Customer" }),
            )
            .await?;
        anyhow::ensure!(registered.status == 201, "register {email} failed: {registered}");
        let id = registered.data()["id"].as_str().context("no id")?.to_owned();
        let token = self.mailed_token(email).await?;
        let verified = self.post("/api/v1/users/verify-email", None, &json!({ "token": token })).await?;
        anyhow::ensure!(verified.status == 200, "verify {email} failed: {verified}");
        Ok((id, self.login(email, password).await?))
    }

    /// The `.eml` files mailed so far, oldest first.
    pub fn mail(&self) -> anyhow::Result<Vec<String>> {
        let dir = self.data_dir.path().join("mail");
        let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
            Ok(entries) => entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                .collect(),
            Err(_) => Vec::new(),
        };
        files.sort();
        files.iter().map(|f| std::fs::read_to_string(f).map_err(Into::into)).collect()
    }

    /// The `token=` of the newest mail to `email`, waiting up to 5 s for it.
    pub async fn mailed_token(&self, email: &str) -> anyhow::Result<String> {
        for _ in 0..50 {
            if let Some(token) = self.mail()?.iter().rev().filter(|m| m.contains(email)).find_map(|m| token_in(m)) {
                return Ok(token);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        anyhow::bail!("no mail with a token= link reached {email}")
    }
}

/// Starts `emporium <subcommand>` on port 0 and waits until it listens; returns the
/// process and its base URL.
fn launch(
    data_dir: &Path,
    subcommand: &str,
    args: &[String],
    logs: &Arc<Mutex<Vec<String>>>,
) -> anyhow::Result<(Child, String)> {
    let mut command = Command::new(binary()?);
    command.args(["--log-format", "json", "--log", "info", subcommand, "--port", "0"]);
    if !matches!(subcommand, "projector" | "relay") {
        command.args(["--admin-email", ADMIN_EMAIL, "--admin-password", ADMIN_PASSWORD]);
    }
    command
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("RUST_LOG")
        .stderr(Stdio::piped())
        .stdout(Stdio::null());
    let mut child = command.spawn().with_context(|| format!("starting emporium {subcommand}"))?;
    let stderr = child.stderr.take().context("no stderr")?;
    let (address_tx, address_rx) = std::sync::mpsc::channel();
    // Read the log on a thread: find the listening address, then keep draining
    // (and echo errors, so a failing test shows the server's side).
    let tag = subcommand.to_owned();
    let logs = logs.clone();
    std::thread::spawn(move || {
        let mut sent = false;
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            logs.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(line.clone());
            let log: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
            if !sent && log["message"] == "emporium listening" {
                let _ = address_tx.send(log["address"].as_str().unwrap_or_default().to_owned());
                sent = true;
            } else if log["level"] == "ERROR" || log["level"] == "WARN" || log.is_null() {
                eprintln!("[emporium {tag}] {line}");
            }
        }
    });
    match address_rx.recv_timeout(Duration::from_secs(60)) {
        Ok(address) => Ok((child, format!("http://{address}"))),
        Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            anyhow::bail!("emporium {subcommand} did not start listening within 60 s (see its log above)")
        }
    }
}

/// The value of the first `token=` in a message (base64url characters).
pub fn token_in(mail: &str) -> Option<String> {
    let start = mail.find("token=")? + "token=".len();
    let token: String =
        mail[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    (!token.is_empty()).then_some(token)
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Already gone (killed or terminated by the test) is fine here.
        let _ = self.kill();
    }
}
