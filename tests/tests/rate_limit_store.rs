//! The shared rate-limit store: API replicas given the same Redis
//! (`--rate-limit-store redis://…`) count one quota together, for clients and for
//! addresses; when Redis stops answering each replica keeps limiting on its own count
//! (never open, never a 5xx); a store that does not answer at start stops start-up.
//! Each test starts its own `redis-server` on a free port.

use std::time::{Duration, Instant};

use emporium_tests::app::{TestApp, binary};
use emporium_tests::redis::RedisServer;
use emporium_write_api::users::throttle::BURST;
use serde_json::json;

fn guess(email: &str) -> serde_json::Value {
    json!({ "email": email, "password": "a wrong guess" })
}

async fn replica(redis: &RedisServer, flags: &[&str]) -> anyhow::Result<TestApp> {
    let mut args = flags.to_vec();
    args.extend(["--rate-limit-store", redis.url.as_str()]);
    TestApp::spawn_with(None, &args).await
}

#[tokio::test]
async fn replicas_sharing_a_store_count_one_client_quota_together() -> anyhow::Result<()> {
    let redis = RedisServer::start().await?;
    let (a, b) =
        (replica(&redis, &["--auth-rate-limit", "4"]).await?, replica(&redis, &["--auth-rate-limit", "4"]).await?);
    for (replica, name) in [(&a, "a"), (&a, "a"), (&b, "b"), (&b, "b")] {
        let answer = replica.post("/api/v1/users/login", None, &guess("ann@example.com")).await?;
        assert_eq!(answer.status, 401, "replica {name} within the shared quota: {answer}");
    }
    // Each replica has seen only two: alone, each would allow two more.
    for (replica, name) in [(&b, "b"), (&a, "a")] {
        let limited = replica.post("/api/v1/users/login", None, &guess("ann@example.com")).await?;
        assert_eq!(limited.status, 429, "replica {name} after four in all: {limited}");
        assert_eq!(limited.error_codes(), vec!["request.rate_limited"]);
        let retry_after: u64 = limited.header("retry-after").unwrap_or_default().parse()?;
        assert!((1..=15).contains(&retry_after), "a minute's quota of 4 refills one every 15 s: {retry_after}");
    }
    Ok(())
}

#[tokio::test]
async fn guesses_at_one_address_spread_over_replicas_meet_one_limit() -> anyhow::Result<()> {
    let redis = RedisServer::start().await?;
    let open = ["--rate-limit", "0", "--auth-rate-limit", "0"];
    let (a, b) = (replica(&redis, &open).await?, replica(&redis, &open).await?);
    for attempt in 0..BURST {
        let replica = if attempt % 2 == 0 { &a } else { &b };
        let answer = replica.post("/api/v1/users/login", None, &guess("ann@example.com")).await?;
        assert_eq!(answer.status, 401, "attempt {attempt} of the burst: {answer}");
    }
    for replica in [&a, &b] {
        let limited = replica.post("/api/v1/users/login", None, &guess("ann@example.com")).await?;
        assert_eq!(limited.status, 429, "{limited}");
        assert_eq!(limited.error_codes(), vec!["auth.too_many_attempts"]);
    }
    // Another address still has its whole burst.
    assert_eq!(a.post("/api/v1/users/login", None, &guess("bob@example.com")).await?.status, 401);
    Ok(())
}

#[tokio::test]
async fn when_the_shared_store_stops_answering_each_replica_limits_on_its_own() -> anyhow::Result<()> {
    let mut redis = RedisServer::start().await?;
    let app = replica(&redis, &["--auth-rate-limit", "3"]).await?;
    assert_eq!(app.post("/api/v1/users/login", None, &guess("ann@example.com")).await?.status, 401);
    redis.kill()?;
    // The count starts again in this process: three guesses, then the limit.
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(app.post("/api/v1/users/login", None, &guess("ann@example.com")).await?.status);
    }
    assert_eq!(statuses, vec![401, 401, 401, 429], "limited locally while Redis is gone, and never a 5xx");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !app.log_lines().iter().any(|line| line.contains("the rate-limit store does not answer")) {
        anyhow::ensure!(Instant::now() < deadline, "the fallback was never logged");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(app.get("/api/v1/products", None).await?.status, 200, "the rest of the shop is served");
    Ok(())
}

#[tokio::test]
async fn a_store_that_does_not_answer_at_start_stops_start_up_naming_it() -> anyhow::Result<()> {
    let port = emporium_tests::nats::free_port()?;
    let data_dir = tempfile::tempdir()?;
    let url = format!("redis://:hunter2@127.0.0.1:{port}");
    let output = std::process::Command::new(binary()?)
        .args(["serve", "--port", "0", "--rate-limit-store", &url])
        .arg("--data-dir")
        .arg(data_dir.path())
        .output()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "started without its rate-limit store: {stderr}");
    assert!(
        stderr.contains(&format!("the rate-limit store redis://127.0.0.1:{port} does not answer")),
        "the error names the store: {stderr}"
    );
    assert!(!stderr.contains("hunter2"), "the password is not printed: {stderr}");
    Ok(())
}
