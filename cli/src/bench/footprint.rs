//! `emporium bench footprint`: how fast `emporium serve` is ready over a store with
//! a long history, and how much memory it holds under load.
//!
//! The shop runs as its own process (this binary's `serve`), so its resident set is
//! its own: the peak (`VmHWM` in `/proc/<pid>/status`) is read after the load.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use serde_json::json;

use super::http_client::Connection;
use super::load::closed_loop;
use super::pairs::Samples;
use super::scratch::{Backend, Scratch};
use super::stats::Target;
use super::table::{Report, Row};

/// Events per seeded inventory stream.
const EVENTS_PER_STREAM: usize = 1000;
/// The admin account of the seeded shop.
const ADMIN: [&str; 2] = ["footprint-admin@emporium.test", "footprint-admin-password"];

/// `emporium bench footprint`.
#[derive(Debug, Args)]
#[command(long_about = "Seeds a scratch store with --events real inventory events (streams of 1000, appended \
straight to the event store), then --runs times: starts `emporium serve` on it as a child process, times spawn -> \
/health/ready answering 200 and spawn -> projections caught up, puts it under load (stock changes through the \
HTTP API with --connections connections for --seconds) and reads its peak resident set (VmHWM). Targets (issue \
12): ready in under 1 s and under 150 MB over 1,000,000 events. The seeder here is the harness's own small one.")]
pub struct FootprintArgs {
    /// `sqlite` (the embedded default in a temporary data dir) or a `postgres://` URL
    /// of a server to create a scratch database on.
    #[arg(long, default_value = "sqlite")]
    pub store: Backend,
    /// Events in the store before the first start.
    #[arg(long, default_value_t = 1_000_000)]
    pub events: usize,
    /// Keep-alive connections of the load.
    #[arg(long, default_value_t = 32)]
    pub connections: usize,
    /// Seconds of load per run.
    #[arg(long, default_value_t = 5)]
    pub seconds: u64,
    /// Starts measured (at least 3).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(3..))]
    pub runs: u64,
}

/// Runs the scenario and prints its table.
pub async fn run(args: FootprintArgs) -> anyhow::Result<()> {
    let scratch = Scratch::create(&args.store).await?;
    let result = measure(&args, &scratch).await;
    scratch.remove().await?;
    println!("{}", result?.render());
    Ok(())
}

async fn measure(args: &FootprintArgs, scratch: &Scratch) -> anyhow::Result<Report> {
    let started = Instant::now();
    {
        let store = crate::stores::event_store(&scratch.store_args()).await?;
        let mut seeded = 0;
        while seeded < args.events {
            let count = EVENTS_PER_STREAM.min(args.events - seeded);
            let sku = super::stock_commands::sku(&format!("SEED-{}", seeded / EVENTS_PER_STREAM))?;
            super::seed::inventory_history(&store, &sku, count).await?;
            seeded += count;
        }
    }
    eprintln!("footprint: seeded {} events in {:.1} s", args.events, started.elapsed().as_secs_f64());
    let mut samples = Samples::default();
    let mut products = Vec::new();
    for run in 0..args.runs {
        let mut server = Server::spawn(scratch).await?;
        let result = server.measure(args, &mut products).await;
        server.stop()?;
        let figures = result?;
        eprintln!("  run {}/{}: {figures:?}", run + 1, args.runs);
        samples.push(figures);
    }
    let none = Samples::default();
    Ok(Report {
        title: format!("footprint — {} — {} events", args.store, args.events),
        notes: vec![
            format!(
                "`emporium serve` as a child process; {} starts on the same store; load: stock changes over 200 products at {} connections for {} s",
                args.runs, args.connections, args.seconds
            ),
            "the first start also projects the seeded history; later starts resume from the checkpoints".to_owned(),
            format!("durability: {}", scratch.durability().await?),
        ],
        baseline_label: "–".to_owned(),
        subject_label: "emporium serve".to_owned(),
        rows: vec![
            Row::compare("spawn → /health/ready 200 (s)", "ready", &none, &samples).target(Target::AtMost(1.0)),
            Row::compare("spawn → projections caught up (s)", "caught_up", &none, &samples),
            Row::compare("peak RSS under load, VmHWM (MB)", "rss", &none, &samples).target(Target::AtMost(150.0)),
        ],
    })
}

/// `emporium serve` as a child process.
struct Server {
    child: Child,
    address: SocketAddr,
    spawned: Instant,
}

impl Server {
    async fn spawn(scratch: &Scratch) -> anyhow::Result<Self> {
        // A free port: bound and released at once (the child binds it a moment later).
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let log = std::fs::File::create(scratch.dir.path().join("serve.log"))?;
        let spawned = Instant::now();
        let child = Command::new(std::env::current_exe()?)
            .args(["--log", "warn", "serve", "--port", &port.to_string(), "--mail", "log"])
            // The load generator is one client on loopback: per-client limits would measure themselves.
            .args(["--rate-limit", "0", "--auth-rate-limit", "0"])
            .args(scratch.store_flags())
            .args(["--admin-email", ADMIN[0], "--admin-password", ADMIN[1]])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .context("starting emporium serve")?;
        Ok(Self { child, address, spawned })
    }

    /// Ready and caught-up times, then the peak RSS after the load.
    async fn measure(
        &mut self,
        args: &FootprintArgs,
        products: &mut Vec<String>,
    ) -> anyhow::Result<super::pairs::Figures> {
        let ready = loop {
            anyhow::ensure!(self.child.try_wait()?.is_none(), "emporium serve exited (see serve.log)");
            if let Ok(mut connection) = Connection::open(self.address).await
                && let Ok(answer) = connection.get("/health/ready", &[]).await
                && answer.status.is_success()
            {
                break self.spawned.elapsed();
            }
            anyhow::ensure!(self.spawned.elapsed() < Duration::from_secs(600), "not ready within 10 minutes");
            tokio::time::sleep(Duration::from_millis(5)).await;
        };
        let mut connection = Connection::open(self.address).await?;
        super::caught_up::wait(&mut connection, Duration::from_secs(3600)).await?;
        let caught_up = self.spawned.elapsed();
        let login = json!({ "email": ADMIN[0], "password": ADMIN[1] });
        let answer = connection.post_json("/api/v1/users/login", None, &login).await?.success("login")?;
        let token = answer.json()?["data"]["access_token"].as_str().context("no access token")?.to_owned();
        if products.is_empty() {
            for n in 0..200 {
                let body = json!({
                    "name": format!("Footprint product {n}"), "sku": format!("FOOT-{n}"),
                    "price": { "amount": 999, "currency": "USD" }, "stock": 1000,
                });
                let created = connection.post_json("/api/v1/products", Some(&token), &body).await?.success("create")?;
                products.push(created.json()?["data"]["id"].as_str().context("no product id")?.to_owned());
            }
        }
        let mut clients = Vec::with_capacity(args.connections);
        for client in 0..args.connections {
            clients.push(StockWriter {
                connection: Connection::open(self.address).await?,
                token: token.clone(),
                path: format!("/api/v1/products/{}/stock", products[client % products.len()]),
            });
        }
        closed_loop(clients, Duration::from_secs(args.seconds)).await?;
        Ok(vec![
            ("ready".to_owned(), ready.as_secs_f64()),
            ("caught_up".to_owned(), caught_up.as_secs_f64()),
            ("rss".to_owned(), peak_rss_mb(self.child.id())?),
        ])
    }

    /// SIGTERM (a graceful stop, as a service manager asks), then wait.
    fn stop(mut self) -> anyhow::Result<()> {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.child.try_wait()?.is_none() {
            if Instant::now() > deadline {
                self.child.kill()?;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }
}

/// One connection posting stock changes to one product.
struct StockWriter {
    connection: Connection,
    token: String,
    path: String,
}

impl super::load::Operation for StockWriter {
    async fn call(&mut self, scheduled: Instant) -> anyhow::Result<Vec<Duration>> {
        let body = json!({ "quantity": 1 });
        self.connection.post_json(&self.path, Some(&self.token), &body).await?.success(&self.path)?;
        Ok(vec![scheduled.elapsed()])
    }
}

/// The peak resident set of process `pid` in MB, from `/proc/<pid>/status`.
fn peak_rss_mb(pid: u32) -> anyhow::Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).context("reading /proc/<pid>/status")?;
    vm_hwm_kb(&status).map(|kb| kb as f64 / 1024.0).context("no VmHWM line in /proc/<pid>/status")
}

/// The `VmHWM:` value (kB) of a `/proc/<pid>/status` text.
fn vm_hwm_kb(status: &str) -> Option<u64> {
    status.lines().find_map(|line| line.strip_prefix("VmHWM:"))?.trim().trim_end_matches("kB").trim().parse().ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_peak_resident_set_is_read_from_vm_hwm() {
        let status = "Name:\temporium\nVmPeak:\t  900000 kB\nVmHWM:\t   123456 kB\nVmRSS:\t  100000 kB\n";
        assert_eq!(super::vm_hwm_kb(status), Some(123_456));
        assert_eq!(super::vm_hwm_kb("Name:\tx\n"), None);
    }
}
