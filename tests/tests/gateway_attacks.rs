//! The gateway and auth tried as an attacker would: oversized and chunked bodies,
//! credentials replayed from the idempotency store, one guest reading another's
//! answer. Each test failed before its fix.

use emporium_tests::app::TestApp;
use reqwest::Method;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Sends `POST path` with `size` bytes of a chunked body over a raw connection (no
/// `Content-Length`, so only a limit on the bytes read can stop it) and never ends
/// the body: a server that reads bodies whole waits for ever, one that stops at its
/// limit answers at once. Returns the answer, or what came within 10 s.
async fn post_chunked(app: &TestApp, path: &str, headers: &[(&str, &str)], size: usize) -> anyhow::Result<String> {
    let address = app.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await?;
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n"
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    let chunk = vec![b' '; 64 * 1024];
    let mut sent = 0;
    while sent < size {
        let n = chunk.len().min(size - sent);
        // The server may answer and close before the whole body is sent.
        if stream.write_all(format!("{n:x}\r\n").as_bytes()).await.is_err()
            || stream.write_all(&chunk[..n]).await.is_err()
            || stream.write_all(b"\r\n").await.is_err()
        {
            break;
        }
        sent += n;
    }
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
    Ok(String::from_utf8_lossy(&answer).into_owned())
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_with_an_idempotency_key_is_refused_with_413() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let admin = app.admin_token().await?;
    let bearer = format!("Bearer {admin}");
    let headers = [("Authorization", bearer.as_str()), ("Idempotency-Key", "huge-1")];
    let answer = post_chunked(&app, "/api/v1/categories", &headers, 1024 * 1024).await?;
    assert!(answer.starts_with("HTTP/1.1 413"), "the server kept reading a chunked body past its limit: {answer:?}");
    assert!(answer.contains("request.too_large"), "413 in the envelope: {answer}");
    assert_eq!(app.get("/health", None).await?.status, 200);
    Ok(())
}

#[tokio::test]
async fn login_and_refresh_answers_are_never_replayed_from_the_idempotency_store() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let (_, _) = app.customer("ann@example.com").await?;
    let credentials = json!({ "email": "ann@example.com", "password": "correct horse battery staple" });
    let key = [("Idempotency-Key", "login-1")];
    let first = app.send(Method::POST, "/api/v1/users/login", None, Some(&credentials), &key).await?;
    assert_eq!(first.status, 200, "{first}");
    assert_eq!(first.header("cache-control"), Some("no-store"), "token answers must not be cached");
    let again = app.send(Method::POST, "/api/v1/users/login", None, Some(&credentials), &key).await?;
    assert_eq!(again.status, 200, "{again}");
    assert_eq!(again.header("idempotent-replayed"), None, "a login answer was replayed: {again}");
    assert_ne!(again.data()["refresh_token"], first.data()["refresh_token"], "the same live tokens handed out twice");

    // A refresh repeated with its key must not hand back the rotated pair: the spent
    // refresh token is refused instead.
    let spend = json!({ "refresh_token": first.data()["refresh_token"] });
    let key = [("Idempotency-Key", "refresh-1")];
    let rotated = app.send(Method::POST, "/api/v1/users/refresh", None, Some(&spend), &key).await?;
    assert_eq!(rotated.status, 200, "{rotated}");
    let replayed = app.send(Method::POST, "/api/v1/users/refresh", None, Some(&spend), &key).await?;
    assert_eq!(replayed.status, 401, "a spent refresh token got a session through its idempotency key: {replayed}");
    Ok(())
}

#[tokio::test]
async fn guests_do_not_share_one_idempotency_scope() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let key = [("Idempotency-Key", "register")];
    let ann = json!({ "email": "ann@example.com", "password": "correct horse battery staple", "name": "Ann" });
    let first = app.send(Method::POST, "/api/v1/users/register", None, Some(&ann), &key).await?;
    assert_eq!(first.status, 201, "{first}");
    // Another guest who happens to pick the same key runs their own request.
    let bob = json!({ "email": "bob@example.com", "password": "correct horse battery staple", "name": "Bob" });
    let second = app.send(Method::POST, "/api/v1/users/register", None, Some(&bob), &key).await?;
    assert_eq!(second.status, 201, "{second}");
    assert_eq!(second.header("idempotent-replayed"), None);
    assert_ne!(second.data()["id"], first.data()["id"], "the second guest got the first guest's answer");
    // The first guest's own retry still replays.
    let retried = app.send(Method::POST, "/api/v1/users/register", None, Some(&ann), &key).await?;
    assert_eq!(retried.header("idempotent-replayed"), Some("true"), "{retried}");
    assert_eq!(retried.data()["id"], first.data()["id"]);
    Ok(())
}

#[tokio::test]
async fn the_log_mailer_never_logs_a_verification_or_reset_link() -> anyhow::Result<()> {
    let app = TestApp::spawn_with(None, &["--mail", "log"]).await?;
    let ann = json!({ "email": "ann@example.com", "password": "correct horse battery staple", "name": "Ann" });
    assert_eq!(app.post("/api/v1/users/register", None, &ann).await?.status, 201);
    let forgot = app.post("/api/v1/users/forgot-password", None, &json!({ "email": "ann@example.com" })).await?;
    assert!(forgot.status < 300, "{forgot}");
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    let mailed = loop {
        let mailed: Vec<String> =
            app.log_lines().into_iter().filter(|l| l.contains("log mailer") && l.contains("ann@example.com")).collect();
        let has = |template: &str| mailed.iter().any(|l| l.contains(&format!("\"template\":\"{template}\"")));
        if has("verify-email") && has("reset-password") {
            break mailed;
        }
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "the two mails never reached the log: {mailed:?}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    for line in &mailed {
        assert!(!line.contains("token="), "a one-time link was logged: {line}");
    }
    let everything = app.log_lines().join("\n");
    assert!(!everything.contains("token="), "a one-time link reached the log");
    Ok(())
}

#[tokio::test]
async fn secrets_under_the_data_dir_are_readable_by_their_owner_only() -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let app = TestApp::spawn().await?;
    app.customer("ann@example.com").await?;
    let data = app.data_dir.path();
    let mut mail: Vec<_> = std::fs::read_dir(data.join("mail"))?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    anyhow::ensure!(!mail.is_empty(), "no mail was written");
    mail.extend(
        ["jwt.secret", "events.db", "events.db-wal", "accounts.db", "read.db", "state.db"].map(|name| data.join(name)),
    );
    for path in mail {
        let mode = std::fs::metadata(&path)?.permissions().mode() & 0o777;
        assert_eq!(mode & 0o077, 0, "{} is readable by others (mode {mode:o})", path.display());
    }
    let mode = std::fs::metadata(data.join("mail"))?.permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "the outbox directory");
    Ok(())
}
