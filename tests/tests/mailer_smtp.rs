//! The SMTP mailer against a real SMTP server: Python's `aiosmtpd`, started by the
//! test as a child process with a tiny handler that writes each received message
//! (after an `X-Envelope-To:` line naming the envelope recipients) to a file.
//! A message arrives with both parts, subject and recipient intact; with the server
//! down a send fails quickly instead of hanging; once the server is up on that port,
//! the retry succeeds.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use emporium_infra::mailer::smtp::{SmtpConfig, SmtpMailer};
use emporium_infra::mailer::{MailMessage, Mailer};

/// The handler script: an aiosmtpd `Controller` whose handler writes each message
/// whole (temporary name, then rename) into the directory given as argument one.
const SERVER_SCRIPT: &str = r#"
import os, sys, threading, time
from aiosmtpd.controller import Controller

out_dir, port = sys.argv[1], int(sys.argv[2])
defer = len(sys.argv) > 3 and sys.argv[3] == "defer"

class Handler:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        if defer:
            return "451 4.3.0 Try again later"
        self.count += 1
        base = os.path.join(out_dir, "%d-%04d" % (time.time_ns(), self.count))
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8")
        with open(base + ".tmp", "wb") as f:
            f.write(("X-Envelope-To: " + ",".join(envelope.rcpt_tos) + "\r\n").encode("utf-8"))
            f.write(content)
        os.rename(base + ".tmp", base + ".eml")
        return "250 Message accepted for delivery"

controller = Controller(Handler(), hostname="127.0.0.1", port=port)
controller.start()
print("ready", flush=True)
threading.Event().wait()
"#;

/// Makes sure `aiosmtpd` can be imported, installing it with pip once if needed.
fn ensure_aiosmtpd() {
    static READY: OnceLock<Result<(), String>> = OnceLock::new();
    let ready = READY.get_or_init(|| {
        let importable = || {
            Command::new("python3")
                .args(["-c", "import aiosmtpd"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|status| status.success())
        };
        if importable() {
            return Ok(());
        }
        let installed = Command::new("python3").args(["-m", "pip", "install", "--quiet", "aiosmtpd"]).output();
        if importable() {
            return Ok(());
        }
        Err(match installed {
            Ok(output) => format!(
                "`python3 -m pip install aiosmtpd` did not make aiosmtpd importable (status {}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ),
            Err(error) => format!("could not run `python3 -m pip install aiosmtpd`: {error}"),
        })
    });
    if let Err(reason) = ready {
        panic!("these tests need Python 3 with aiosmtpd (pip install aiosmtpd): {reason}");
    }
}

/// A port nothing listens on right now.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binding an ephemeral port");
    listener.local_addr().expect("the ephemeral port").port()
}

/// A running aiosmtpd, killed when dropped.
struct SmtpServer {
    child: Child,
    inbox: PathBuf,
}

impl SmtpServer {
    /// Starts aiosmtpd on `port`, writing messages into `dir/inbox`, and waits until
    /// it accepts connections.
    fn start(dir: &Path, port: u16) -> anyhow::Result<Self> {
        Self::start_with(dir, port, &[])
    }

    /// Starts aiosmtpd on `port` with extra script arguments (`defer`: answer every
    /// message with a transient `451`).
    fn start_with(dir: &Path, port: u16, extra: &[&str]) -> anyhow::Result<Self> {
        ensure_aiosmtpd();
        let script = dir.join("smtp_server.py");
        std::fs::write(&script, SERVER_SCRIPT)?;
        let inbox = dir.join("inbox");
        std::fs::create_dir_all(&inbox)?;
        let log = std::fs::File::create(dir.join(format!("smtp_server-{port}.log")))?;
        let child = Command::new("python3")
            .arg(&script)
            .arg(&inbox)
            .arg(port.to_string())
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .context("starting python3 with the aiosmtpd script")?;
        let mut server = Self { child, inbox };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(server);
            }
            if let Some(status) = server.child.try_wait()? {
                let log = std::fs::read_to_string(dir.join(format!("smtp_server-{port}.log"))).unwrap_or_default();
                bail!("aiosmtpd exited with {status}: {log}");
            }
            if Instant::now() > deadline {
                bail!("aiosmtpd did not listen on 127.0.0.1:{port} within 20 s");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The messages received so far, oldest first.
    fn received(&self) -> anyhow::Result<Vec<String>> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&self.inbox)?
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "eml"))
            .collect();
        paths.sort();
        paths.iter().map(|path| Ok(std::fs::read_to_string(path)?)).collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn mailer(port: u16, timeout: Duration) -> SmtpMailer {
    SmtpMailer::new(SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        username: None,
        password: None,
        from: "Emporium <no-reply@emporium.local>".into(),
        timeout,
    })
}

fn message(subject: &str) -> MailMessage {
    MailMessage {
        to: "ann@example.com".into(),
        subject: subject.into(),
        text: "Thank you for your order EMP-1001.\nIt ships soon.".into(),
        html: "<p>Thank you for your order <b>EMP-1001</b>.</p>".into(),
        template: "test".into(),
        key: None,
    }
}

/// Reads header `name` of a raw message (unfolded, first occurrence).
fn header<'a>(raw: &'a str, name: &str) -> Option<&'a str> {
    let head = raw.split("\r\n\r\n").next()?;
    head.split("\r\n").find_map(|line| {
        line.split_once(':').filter(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.trim())
    })
}

#[tokio::test]
async fn a_message_arrives_with_both_parts_subject_and_recipient() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let port = free_port();
    let server = SmtpServer::start(dir.path(), port)?;
    let mailer = mailer(port, Duration::from_secs(5));

    mailer.send(&message("Your order EMP-1001 is confirmed")).await?;

    let received = server.received()?;
    assert_eq!(received.len(), 1, "{received:?}");
    let raw = &received[0];
    assert_eq!(header(raw, "X-Envelope-To"), Some("ann@example.com"), "{raw}");
    assert_eq!(header(raw, "To"), Some("ann@example.com"), "{raw}");
    assert_eq!(header(raw, "Subject"), Some("Your order EMP-1001 is confirmed"), "{raw}");
    assert!(header(raw, "From").is_some_and(|from| from.contains("no-reply@emporium.local")), "{raw}");
    assert!(header(raw, "Content-Type").is_some_and(|ct| ct.starts_with("multipart/alternative")), "{raw}");
    assert!(raw.contains("Content-Type: text/plain"), "{raw}");
    assert!(raw.contains("Content-Type: text/html"), "{raw}");
    assert!(raw.contains("Thank you for your order EMP-1001.\r\nIt ships soon."), "{raw}");
    assert!(raw.contains("<p>Thank you for your order <b>EMP-1001</b>.</p>"), "{raw}");
    let plain = raw.find("text/plain").context("no plain part")?;
    let html = raw.find("text/html").context("no html part")?;
    assert!(plain < html, "the plain part comes first in multipart/alternative: {raw}");
    Ok(())
}

#[tokio::test]
async fn a_server_that_is_down_fails_fast_and_a_retry_succeeds_once_it_is_up() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let port = free_port();
    let timeout = Duration::from_secs(2);
    let mailer = mailer(port, timeout);
    let mail = message("Your refund");

    let started = Instant::now();
    let outcome =
        tokio::time::timeout(timeout * 3, mailer.send(&mail)).await.context("send hung with the server down")?;
    let error = outcome.expect_err("nothing listens, so the send must fail");
    assert_eq!(error.to, "ann@example.com");
    assert!(started.elapsed() <= timeout * 2, "took {:?}", started.elapsed());

    let server = SmtpServer::start(dir.path(), port)?;
    assert!(server.received()?.is_empty());
    mailer.send(&mail).await?;

    let received = server.received()?;
    assert_eq!(received.len(), 1, "{received:?}");
    assert_eq!(header(&received[0], "Subject"), Some("Your refund"));
    Ok(())
}

#[tokio::test]
async fn a_server_that_never_answers_fails_within_the_timeout() -> anyhow::Result<()> {
    // Accepts connections but never sends the SMTP greeting.
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let timeout = Duration::from_millis(500);
    let mailer = mailer(port, timeout);

    let started = Instant::now();
    let outcome = tokio::time::timeout(Duration::from_secs(10), mailer.send(&message("Silence"))).await;
    let outcome = outcome.context("send hung on a silent server")?;
    assert!(outcome.is_err(), "a silent server cannot accept mail");
    assert!(started.elapsed() <= timeout * 3, "took {:?}", started.elapsed());
    drop(listener);
    Ok(())
}

#[tokio::test]
async fn a_transient_4xx_reply_is_an_error_and_a_later_retry_delivers() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let port = free_port();
    let mailer = mailer(port, Duration::from_secs(5));
    let mail = message("Your password reset");

    let deferring = SmtpServer::start_with(dir.path(), port, &["defer"])?;
    let error = mailer.send(&mail).await.expect_err("a 451 reply must not count as sent");
    assert!(error.reason.contains("transient"), "{error}");
    assert!(deferring.received()?.is_empty());
    drop(deferring);

    let server = SmtpServer::start(dir.path(), port)?;
    mailer.send(&mail).await?;
    let received = server.received()?;
    assert_eq!(received.len(), 1, "{received:?}");
    assert_eq!(header(&received[0], "Subject"), Some("Your password reset"));
    Ok(())
}
