//! The binary as a new user meets it: `emporium serve` with no services running.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `emporium serve` on a free port; killed if the test fails early.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(data_dir: &std::path::Path) -> anyhow::Result<Self> {
        let mut child = Command::new(env!("CARGO_BIN_EXE_emporium"))
            .args(["--log-format", "json", "serve", "--port", "0", "--data-dir"])
            .arg(data_dir)
            .stderr(Stdio::piped())
            .spawn()?;
        let stderr = child.stderr.take().ok_or_else(|| anyhow::anyhow!("no stderr"))?;
        let mut lines = BufReader::new(stderr).lines();
        let address = loop {
            let line = lines.next().ok_or_else(|| anyhow::anyhow!("server exited before listening"))??;
            let log: serde_json::Value = serde_json::from_str(&line)?;
            if log["message"] == "emporium listening" {
                break log["address"].as_str().unwrap_or_default().to_owned();
            }
        };
        // Keep draining logs so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Ok(Self { child, base: format!("http://{address}") })
    }

    fn interrupt_and_wait(mut self) -> anyhow::Result<std::process::ExitStatus> {
        Command::new("kill").args(["-INT", &self.child.id().to_string()]).status()?;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok(status);
            }
            anyhow::ensure!(Instant::now() < deadline, "server did not stop within 10 s of Ctrl-C");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn serve_starts_without_flags_or_services_answers_health_and_stops_cleanly_on_ctrl_c() -> anyhow::Result<()> {
    let data = tempfile::tempdir()?;
    let server = Server::start(&data.path().join("data"))?;
    let live: serde_json::Value = reqwest::get(format!("{}/health", server.base)).await?.json().await?;
    assert_eq!(live["success"], true);
    let ready = reqwest::get(format!("{}/health/ready", server.base)).await?;
    assert_eq!(ready.status(), 200);
    let ready: serde_json::Value = ready.json().await?;
    assert_eq!(ready["data"]["status"], "ready");
    assert_eq!(ready["data"]["event_store"]["head_position"], 0);
    assert_eq!(ready["data"]["projections"]["lag"], 0, "projections run in-process: {ready}");
    let status = server.interrupt_and_wait()?;
    assert!(status.success(), "exit status {status}");
    assert!(data.path().join("data/events.db").exists(), "the event store lives under --data-dir");
    assert!(data.path().join("data/read.db").exists(), "the read store lives under --data-dir");
    Ok(())
}

#[test]
fn help_lists_the_subcommands_that_exist() -> anyhow::Result<()> {
    let output = Command::new(env!("CARGO_BIN_EXE_emporium")).arg("--help").output()?;
    let help = String::from_utf8(output.stdout)?;
    assert!(output.status.success());
    for subcommand in ["serve", "audit", "projections"] {
        assert!(help.contains(subcommand), "--help misses {subcommand}:\n{help}");
    }
    Ok(())
}

#[test]
fn a_bad_event_store_flag_fails_with_a_clear_message() -> anyhow::Result<()> {
    let data = tempfile::tempdir()?;
    let output = Command::new(env!("CARGO_BIN_EXE_emporium"))
        .args(["serve", "--port", "0", "--event-store", "mysql://nope", "--data-dir"])
        .arg(data.path())
        .output()?;
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr)?;
    assert!(stderr.contains("--event-store must be `sqlite` or a postgres:// URL"), "{stderr}");
    Ok(())
}

#[test]
fn the_committed_openapi_document_matches_the_code() -> anyhow::Result<()> {
    let output = Command::new(env!("CARGO_BIN_EXE_emporium")).arg("openapi").output()?;
    assert!(output.status.success());
    let generated: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas/openapi.json");
    let committed: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
    assert!(
        generated == committed,
        "schemas/openapi.json drifted from the code: refresh it with `cargo run -p emporium -- openapi > schemas/openapi.json`"
    );
    assert_eq!(generated["openapi"].as_str().map(|v| v.starts_with("3.1")), Some(true));
    Ok(())
}
