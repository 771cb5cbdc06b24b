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

#[tokio::test]
async fn guessing_passwords_from_one_address_is_stopped_with_429_and_retry_after() -> anyhow::Result<()> {
    let app = TestApp::spawn_with(None, &["--auth-rate-limit", "5"]).await?;
    let guess = json!({ "email": "ann@example.com", "password": "guess-number-n" });
    for attempt in 1..=5 {
        let refused = app.post("/api/v1/users/login", None, &guess).await?;
        assert_eq!(refused.status, 401, "attempt {attempt}: {refused}");
    }
    let limited = app.post("/api/v1/users/login", None, &guess).await?;
    assert_eq!(limited.status, 429, "the sixth guess within a minute: {limited}");
    assert_eq!(limited.error_codes(), vec!["request.rate_limited"]);
    assert!(limited.header("retry-after").and_then(|v| v.parse::<u64>().ok()).is_some_and(|s| (1..=60).contains(&s)));
    // The other guarded endpoints share the quota; the rest of the shop does not.
    let forgot = app.post("/api/v1/users/forgot-password", None, &json!({ "email": "ann@example.com" })).await?;
    assert_eq!(forgot.status, 429, "{forgot}");
    assert_eq!(app.get("/api/v1/products", None).await?.status, 200);
    Ok(())
}

#[tokio::test]
async fn every_answer_carries_security_headers_and_cors_allows_only_configured_origins() -> anyhow::Result<()> {
    let closed = TestApp::spawn().await?;
    for path in ["/health", "/api/v1/products", "/api/v1/nowhere"] {
        let answer = closed.get(path, None).await?;
        assert_eq!(answer.header("x-content-type-options"), Some("nosniff"), "{path}");
        assert_eq!(answer.header("referrer-policy"), Some("no-referrer"), "{path}");
        assert_eq!(answer.header("strict-transport-security"), None, "no HSTS on a plain-http shop");
    }
    let docs = closed.get("/docs/", None).await?;
    assert!(docs.header("content-security-policy").is_some_and(|p| p.contains("frame-ancestors 'none'")), "{docs}");
    let preflight = [
        ("Origin", "https://evil.example"),
        ("Access-Control-Request-Method", "POST"),
        ("Access-Control-Request-Headers", "authorization,content-type"),
    ];
    let answer = closed.send(Method::OPTIONS, "/api/v1/orders", None, None, &preflight).await?;
    assert_eq!(answer.header("access-control-allow-origin"), None, "no origin is allowed by default");

    let open =
        TestApp::spawn_with(None, &["--cors-origin", "https://shop.example", "--public-url", "https://shop.example"])
            .await?;
    let answer = open.send(Method::OPTIONS, "/api/v1/orders", None, None, &preflight).await?;
    assert_eq!(answer.header("access-control-allow-origin"), None, "another origin stays out");
    let mut allowed = preflight;
    allowed[0].1 = "https://shop.example";
    let answer = open.send(Method::OPTIONS, "/api/v1/orders", None, None, &allowed).await?;
    assert_eq!(answer.header("access-control-allow-origin"), Some("https://shop.example"), "{answer}");
    let health = open.get("/health", None).await?;
    assert!(health.header("strict-transport-security").is_some_and(|v| v.starts_with("max-age=")));
    Ok(())
}

#[tokio::test]
async fn a_customer_may_hold_only_a_few_live_order_feeds_open() -> anyhow::Result<()> {
    use emporium_tests::checkout;
    let app = TestApp::spawn().await?;
    let admin = app.admin_token().await?;
    let product = checkout::product(&app, &admin, "FEED-1", 1_000, 10).await?;
    let (_, ann) = app.customer("ann@example.com").await?;
    let order = checkout::placed(&app, &ann, &product, 1, "pm_card_visa").await?;
    let client = reqwest::Client::new();
    let open = || client.get(format!("{}/api/v1/orders/{order}/events", app.base)).bearer_auth(&ann).send();
    let mut feeds = Vec::new();
    for _ in 0..emporium_read_api::orders::events::MAX_FEEDS_PER_CUSTOMER {
        let feed = open().await?;
        assert_eq!(feed.status(), 200);
        feeds.push(feed);
    }
    let refused = open().await?;
    assert_eq!(refused.status(), 429, "one feed too many was opened");
    assert!(refused.headers().contains_key("retry-after"));
    // Closing one gives its place back.
    drop(feeds.pop());
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let again = open().await?;
        if again.status() == 200 {
            break;
        }
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "a closed feed never gave its place back");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Ok(())
}

#[tokio::test]
async fn a_reused_refresh_token_ends_every_session_of_the_account() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.customer("ann@example.com").await?;
    let credentials = json!({ "email": "ann@example.com", "password": "correct horse battery staple" });
    let session = app.post("/api/v1/users/login", None, &credentials).await?;
    let stolen = session.data()["refresh_token"].clone();
    // The owner refreshes: the stolen copy is now spent, the owner holds a new token.
    let rotated = app.post("/api/v1/users/refresh", None, &json!({ "refresh_token": stolen })).await?;
    assert_eq!(rotated.status, 200, "{rotated}");
    let current = rotated.data()["refresh_token"].clone();
    // The thief tries the copy: refused, and the owner's current token dies with it.
    let reused = app.post("/api/v1/users/refresh", None, &json!({ "refresh_token": stolen })).await?;
    assert_eq!(reused.status, 401, "{reused}");
    let after = app.post("/api/v1/users/refresh", None, &json!({ "refresh_token": current })).await?;
    assert_eq!(after.status, 401, "the rotated token survived a reuse of its predecessor: {after}");
    // Signing in again works.
    assert_eq!(app.post("/api/v1/users/login", None, &credentials).await?.status, 200);
    Ok(())
}

#[tokio::test]
async fn a_password_change_ends_every_access_token_issued_before_it_on_the_read_and_write_side() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let (_, before) = app.customer("ann@example.com").await?;
    // A second device of the same customer.
    let second = app.login("ann@example.com", "correct horse battery staple").await?;
    assert_eq!(app.get("/api/v1/users/profile", Some(&second)).await?.status, 200);
    let change =
        json!({ "current_password": "correct horse battery staple", "new_password": "a brand new passphrase" });
    let changed = app.post("/api/v1/users/change-password", Some(&before), &change).await?;
    assert_eq!(changed.status, 200, "{changed}");
    for token in [&before, &second] {
        let read = app.get("/api/v1/users/profile", Some(token)).await?;
        assert_eq!(read.status, 401, "an access token outlived the password change on the read side: {read}");
        let write = app.put("/api/v1/users/profile", Some(token), &json!({ "name": "Mallory" })).await?;
        assert_eq!(write.status, 401, "an access token outlived the password change on the write side: {write}");
    }
    let fresh = app.login("ann@example.com", "a brand new passphrase").await?;
    assert_eq!(app.get("/api/v1/users/profile", Some(&fresh)).await?.status, 200, "a new session works");
    Ok(())
}

#[tokio::test]
async fn a_revoked_role_stops_working_on_the_next_request() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let admin = app.admin_token().await?;
    let (bob_id, _) = app.customer("bob@example.com").await?;
    let granted =
        app.post(&format!("/api/v1/users/{bob_id}/roles"), Some(&admin), &json!({ "role": "manager" })).await?;
    assert_eq!(granted.status, 200, "{granted}");
    let manager = app.login("bob@example.com", "correct horse battery staple").await?;
    let category = json!({ "name": "Kettles", "parent_id": null });
    assert_eq!(app.post("/api/v1/categories", Some(&manager), &category).await?.status, 201);
    let revoked = app.delete(&format!("/api/v1/users/{bob_id}/roles/manager"), Some(&admin)).await?;
    assert_eq!(revoked.status, 200, "{revoked}");
    let after =
        app.post("/api/v1/categories", Some(&manager), &json!({ "name": "Toasters", "parent_id": null })).await?;
    assert_eq!(after.status, 401, "the revoked Manager role still worked: {after}");
    Ok(())
}

#[tokio::test]
async fn forged_tokens_are_refused() -> anyhow::Result<()> {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let app = TestApp::spawn().await?;
    let (ann_id, ann) = app.customer("ann@example.com").await?;
    let encode = |json: serde_json::Value| URL_SAFE_NO_PAD.encode(json.to_string());
    let now = chrono::Utc::now().timestamp();
    let claims = json!({ "sub": ann_id, "roles": ["admin"], "iat": now, "exp": now + 600, "jti": "x",
                         "iss": "emporium", "aud": "emporium-api", "nbf": now, "ver": 0 });
    let none = format!("{}.{}.", encode(json!({ "alg": "none", "typ": "JWT" })), encode(claims.clone()));
    let signature = ann.rsplit('.').next().unwrap_or_default();
    let swapped = format!("{}.{}.{signature}", encode(json!({ "alg": "HS256", "typ": "JWT" })), encode(claims));
    let rs256 = format!(
        "{}.{}",
        encode(json!({ "alg": "RS256", "typ": "JWT" })),
        ann.split_once('.').map(|(_, r)| r).unwrap_or("")
    );
    for (name, token) in
        [("alg none", none), ("claims swapped under a real signature", swapped), ("RS256 header", rs256)]
    {
        let answer = app.get("/api/v1/users/profile", Some(&token)).await?;
        assert_eq!(answer.status, 401, "{name}: {answer}");
    }
    Ok(())
}

#[tokio::test]
async fn a_nul_character_in_a_string_is_a_400_on_postgresql_not_a_500() -> anyhow::Result<()> {
    let app = TestApp::spawn_postgres().await?;
    let admin = app.admin_token().await?;
    let refused =
        app.post("/api/v1/categories", Some(&admin), &json!({ "name": "Ket\u{0}tles", "parent_id": null })).await?;
    assert_eq!(refused.status, 400, "{refused}");
    assert_eq!(refused.error_codes(), vec!["request.nul_character"]);
    let fine =
        app.post("/api/v1/categories", Some(&admin), &json!({ "name": "Kettles \\u0000", "parent_id": null })).await?;
    assert_eq!(fine.status, 201, "the text \\u0000 is not a NUL: {fine}");
    Ok(())
}

#[tokio::test]
async fn guesses_at_one_address_meet_a_limit_whatever_client_sends_them() -> anyhow::Result<()> {
    // No per-IP limit here: only the per-address one can stop the guesses.
    let app = TestApp::spawn_with(None, &["--rate-limit", "0", "--auth-rate-limit", "0"]).await?;
    app.customer("ann@example.com").await?;
    let guess = json!({ "email": "ann@example.com", "password": "not her password" });
    let mut answers = Vec::new();
    for _ in 0..emporium_write_api::users::throttle::BURST + 5 {
        answers.push(app.post("/api/v1/users/login", None, &guess).await?);
    }
    let limited: Vec<_> = answers.iter().filter(|a| a.status == 429).collect();
    assert!(!limited.is_empty(), "no limit on guesses at one address");
    assert!(
        limited.iter().all(|a| a.error_codes() == vec!["auth.too_many_attempts"] && a.header("retry-after").is_some())
    );
    // An address without an account is limited alike: the 429 tells nothing.
    let unknown = json!({ "email": "nobody@example.com", "password": "whatever it is" });
    let mut statuses = Vec::new();
    for _ in 0..emporium_write_api::users::throttle::BURST + 5 {
        statuses.push(app.post("/api/v1/users/login", None, &unknown).await?.status);
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    // Other addresses are untouched.
    let (_, _) = app.customer("bob@example.com").await?;
    Ok(())
}

#[tokio::test]
async fn answers_are_gzipped_for_clients_that_accept_it_and_live_feeds_are_not() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let client = reqwest::Client::new();
    let url = format!("{}/api/openapi.json", app.base);
    let plain = client.get(&url).send().await?;
    assert_eq!(plain.headers().get("content-encoding"), None, "no compression unasked");
    let plain = plain.bytes().await?;
    let zipped = client.get(&url).header("accept-encoding", "gzip").send().await?;
    assert_eq!(zipped.headers().get("content-encoding").and_then(|v| v.to_str().ok()), Some("gzip"));
    assert_eq!(zipped.headers().get("x-content-type-options").and_then(|v| v.to_str().ok()), Some("nosniff"));
    let zipped = zipped.bytes().await?;
    assert_eq!(zipped.get(..2), Some(&[0x1f, 0x8b][..]), "a gzip stream");
    assert!(zipped.len() * 4 < plain.len(), "{} bytes zipped from {}", zipped.len(), plain.len());

    let admin = app.admin_token().await?;
    let product = emporium_tests::checkout::product(&app, &admin, "GZIP-1", 1_000, 5).await?;
    let (_, ann) = app.customer("ann@example.com").await?;
    let order = emporium_tests::checkout::placed(&app, &ann, &product, 1, "pm_card_visa").await?;
    let feed = client
        .get(format!("{}/api/v1/orders/{order}/events", app.base))
        .bearer_auth(&ann)
        .header("accept-encoding", "gzip")
        .header("accept", "text/event-stream")
        .send()
        .await?;
    assert_eq!(feed.status(), 200);
    assert_eq!(feed.headers().get("content-encoding"), None, "a live feed is never buffered by a compressor");
    Ok(())
}

#[tokio::test]
async fn a_forged_x_forwarded_for_buys_no_new_quota_and_a_trusted_proxys_names_the_client() -> anyhow::Result<()> {
    async fn login(app: &TestApp, client: &str) -> anyhow::Result<u16> {
        let guess = json!({ "email": "ann@example.com", "password": "a wrong guess" });
        let headers = [("X-Forwarded-For", client)];
        Ok(app.send(Method::POST, "/api/v1/users/login", None, Some(&guess), &headers).await?.status)
    }
    // No trusted proxy: the header is the client's word, and is ignored.
    let direct = TestApp::spawn_with(None, &["--auth-rate-limit", "2"]).await?;
    let statuses = [
        login(&direct, "203.0.113.1").await?,
        login(&direct, "203.0.113.2").await?,
        login(&direct, "203.0.113.3").await?,
    ];
    assert_eq!(statuses, [401, 401, 429], "a new X-Forwarded-For per guess still counts as one client");

    // Behind a trusted proxy (the test itself, on loopback) the header names the client.
    let proxied = TestApp::spawn_with(None, &["--auth-rate-limit", "2", "--trusted-proxy", "127.0.0.1"]).await?;
    let statuses = [
        login(&proxied, "203.0.113.1").await?,
        login(&proxied, "203.0.113.1").await?,
        login(&proxied, "203.0.113.1").await?,
        login(&proxied, "203.0.113.2").await?,
        // A client's own entry left of the one the proxy wrote is not believed.
        login(&proxied, "198.51.100.7, 203.0.113.1").await?,
    ];
    assert_eq!(statuses, [401, 401, 429, 401, 429], "one quota per forwarded client");
    Ok(())
}
