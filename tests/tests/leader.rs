//! The leader lock: one holder at a time, the next one gets it as soon as it is
//! released, and a PostgreSQL leader whose session dies hears that it lost the lock;
//! end to end, a second `serve` on the same database stands by and takes over the
//! checkouts when the first is killed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use emporium_infra::leader::{LeaderLock, LeaderTiming};
use emporium_tests::app::TestApp;
use emporium_tests::checkout::{customers, order_reaches, placed, product};
use emporium_tests::postgres::TestDatabase;
use sqlx::Connection;

const FAST: LeaderTiming = LeaderTiming { retry: Duration::from_millis(50), heartbeat: Duration::from_millis(100) };

/// `lock` is held by one holder at a time and passes on when released.
async fn one_holder_at_a_time(lock: LeaderLock) {
    let first = lock.acquire("test", FAST).await.unwrap();
    let waiting = tokio::spawn({
        let lock = lock.clone();
        async move { lock.acquire("test", FAST).await.unwrap() }
    });
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(!waiting.is_finished(), "a second holder got the lock while the first held it");
    let other_name = lock.acquire("another-name", FAST).await.unwrap();
    first.release().await;
    let second = tokio::time::timeout(Duration::from_secs(5), waiting).await.expect("passed on").unwrap();
    second.release().await;
    other_name.release().await;
}

#[tokio::test]
async fn a_file_lock_has_one_holder_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    one_holder_at_a_time(LeaderLock::File { dir: dir.path().to_owned() }).await;
}

#[tokio::test]
async fn a_postgres_lock_has_one_holder_at_a_time() {
    let database = TestDatabase::create().await.unwrap();
    one_holder_at_a_time(LeaderLock::Postgres { url: database.url.clone() }).await;
}

#[tokio::test]
async fn a_file_lock_is_never_reported_lost_while_held() {
    let dir = tempfile::tempdir().unwrap();
    let mut held = LeaderLock::File { dir: dir.path().to_owned() }.acquire("test", FAST).await.unwrap();
    assert!(tokio::time::timeout(Duration::from_millis(500), held.lost()).await.is_err(), "reported lost");
    held.release().await;
}

#[tokio::test]
async fn a_dropped_file_lock_is_released() {
    let dir = tempfile::tempdir().unwrap();
    let lock = LeaderLock::File { dir: dir.path().to_owned() };
    drop(lock.acquire("test", FAST).await.unwrap());
    tokio::time::timeout(Duration::from_secs(5), lock.acquire("test", FAST)).await.expect("free again").unwrap();
}

#[tokio::test]
async fn a_postgres_leader_whose_session_is_killed_learns_it_lost_and_another_takes_over() {
    let database = TestDatabase::create().await.unwrap();
    let lock = LeaderLock::Postgres { url: database.url.clone() };
    let mut leader = lock.acquire("test", FAST).await.unwrap();
    let successor = tokio::spawn({
        let lock = lock.clone();
        async move { lock.acquire("test", FAST).await.unwrap() }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!successor.is_finished());

    // What a failover or a network cut does to the leader's session.
    let mut admin = sqlx::PgConnection::connect(&database.url).await.unwrap();
    let killed: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(l.pid) FROM pg_locks l \
         WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    )
    .fetch_all(&mut admin)
    .await
    .unwrap();
    assert_eq!(killed, [true], "exactly one session held the lock");
    tokio::time::timeout(Duration::from_secs(5), leader.lost()).await.expect("the leader hears it lost the lock");
    let successor = tokio::time::timeout(Duration::from_secs(5), successor).await.expect("taken over").unwrap();
    successor.release().await;
}

#[tokio::test]
async fn a_standby_serve_takes_over_checkouts_when_the_leader_is_killed() {
    // One shop, two processes: same stores, same token secret, separate data dirs.
    let secret = "a-token-secret-shared-by-both-processes-0123456789";
    let database = TestDatabase::create().await.unwrap();
    let mut leader = TestApp::spawn_with(Some(database), &["--jwt-secret", secret]).await.unwrap();
    let mut flags = leader.store_flags();
    flags.extend(["--jwt-secret".to_owned(), secret.to_owned()]);
    let standby = TestApp::spawn_with(None, &flags.iter().map(String::as_str).collect::<Vec<_>>()).await.unwrap();
    let admin = leader.admin_token().await.unwrap();
    let mug = product(&leader, &admin, "LEAD-MUG", 900, 5).await.unwrap();
    let ann = customers(&leader, "lead", 1).await.unwrap().remove(0);
    let first = placed(&leader, &ann, &mug, 1, "pm_card_visa").await.unwrap();
    order_reaches(&leader, &ann, &first, &["confirmed"], Duration::from_secs(20)).await.unwrap();
    // The standby is ready, and says its process managers stand by.
    let ready = standby.get("/health/ready", None).await.unwrap();
    assert_eq!(ready.status, 200, "{ready}");
    let saga =
        ready.data()["consumers"].as_array().into_iter().flatten().find(|c| c["name"] == "saga_order_fulfilment");
    assert_eq!(saga.map(|c| c["condition"].clone()), Some(serde_json::json!("standby")), "{ready}");

    leader.kill().unwrap();
    // The same shop through the standby: its process managers take over within a retry.
    let second = placed(&standby, &ann, &mug, 1, "pm_card_visa").await.unwrap();
    let order =
        order_reaches(&standby, &ann, &second, &["confirmed", "cancelled"], Duration::from_secs(20)).await.unwrap();
    assert_eq!(order["status"], "confirmed", "{order}");
}
