//! PostgreSQL out of reach under load: the test's own database stops taking
//! connections (`ALLOW_CONNECTIONS false`, every session terminated) while stock
//! changes keep coming. Commands answer 503 with `store.unavailable` and `Retry-After`
//! meanwhile (never a 500), reads answer 503 `read_model.unavailable`, readiness
//! answers 503, and once the database is back the shop works again with every
//! acknowledged change kept: the checkouts in flight settle once each, nothing is
//! charged twice, and every read model equals a rebuild.

use std::time::Duration;

use anyhow::Context;
use emporium_tests::app::TestApp;
use std::sync::Arc;

use emporium_infra::event_store::postgres::PostgresEventStore;
use emporium_infra::read_store::postgres::PostgresReadStore;
use emporium_tests::checkout::{ProviderBooks, customers, order_reaches, placed, product, stock_settles};
use emporium_tests::postgres::server_url;
use emporium_tests::rebuild::{assert_equal_to_rebuild, quiet_head};
use serde_json::json;
use sqlx::{Connection, Executor, PgConnection};

const UNITS: i64 = 5;
const PRICE: i64 = 1_000;

/// Closes (or reopens) the database to new connections and ends the open ones.
async fn set_reachable(database: &str, reachable: bool) -> anyhow::Result<()> {
    let mut admin = PgConnection::connect(&server_url()).await?;
    admin.execute(format!("ALTER DATABASE {database} WITH ALLOW_CONNECTIONS {reachable}").as_str()).await?;
    if !reachable {
        admin
            .execute(
                format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'").as_str(),
            )
            .await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_answer_503_while_postgres_is_away_and_nothing_acknowledged_is_lost() -> anyhow::Result<()> {
    let app = TestApp::spawn_postgres().await?;
    let url = app.store_flags().get(1).cloned().context("a PostgreSQL app has store flags")?;
    let database = url.rsplit('/').next().context("a database name")?.to_owned();
    let admin = app.admin_token().await?;
    let item = product(&app, &admin, "OUTAGE-1", PRICE, UNITS).await?;
    let shoppers = customers(&app, "outage", 3).await?;
    // Checkouts in flight when the database goes away.
    let mut orders = Vec::new();
    for token in &shoppers {
        orders.push((placed(&app, token, &item, 1, "pm_card_visa").await?, token.clone()));
    }
    let change = |quantity: i64| json!({ "quantity": quantity, "reason": "restock" });
    let path = format!("/api/v1/products/{item}/stock");
    let mut acknowledged = 0;

    set_reachable(&database, false).await?;
    let mut refused = 0;
    for _ in 0..10 {
        let answer = app.post(&path, Some(&admin), &change(1)).await?;
        match answer.status {
            200 => acknowledged += 1,
            503 => {
                assert_eq!(answer.error_codes(), vec!["store.unavailable".to_owned()], "{answer}");
                assert!(answer.header("retry-after").is_some(), "{answer}");
                refused += 1;
            }
            other => anyhow::bail!("a command while PostgreSQL is away answered {other}: {answer}"),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(refused >= 9, "only {refused} of 10 commands were refused while the database was away");
    let ready = app.get("/health/ready", None).await?;
    assert_eq!(ready.status, 503, "{ready}");
    // Reads of the (PostgreSQL) read models answer 503 too, never a 500.
    let read = app.get(&format!("/api/v1/products/{item}"), None).await?;
    assert_eq!((read.status, read.error_codes()), (503, vec!["read_model.unavailable".to_owned()]), "{read}");
    assert!(read.header("retry-after").is_some(), "{read}");
    // Signing in needs the account store, on the same database: 503 as well, never a 500.
    let login = json!({ "email": "outage-0@example.com", "password": "whatever it is" });
    let refused = app.post("/api/v1/users/login", None, &login).await?;
    assert_eq!((refused.status, refused.error_codes()), (503, vec!["store.unavailable".to_owned()]), "{refused}");

    set_reachable(&database, true).await?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let answer = app.post(&path, Some(&admin), &change(2)).await?;
        if answer.status == 200 {
            acknowledged += 2;
            break;
        }
        assert_eq!(answer.status, 503, "{answer}");
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "commands did not work again within 30 s: {answer}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for _ in 0..3 {
        let answer = app.post(&path, Some(&admin), &change(1)).await?;
        assert_eq!(answer.status, 200, "{answer}");
        acknowledged += 1;
    }
    let mut confirmed = 0;
    for (order_id, token) in &orders {
        let settled =
            order_reaches(&app, token, order_id, &["confirmed", "cancelled"], Duration::from_secs(60)).await?;
        confirmed += i64::from(settled["status"] == "confirmed");
    }
    assert_eq!(confirmed, 3, "three units for three orders: every checkout confirms once the database is back");
    let books = ProviderBooks::read(&app)?;
    assert_eq!((books.charged(), books.kept()), (3, 3 * PRICE), "one charge per order: {books:?}");
    let expected = UNITS + acknowledged - confirmed;
    assert_eq!(stock_settles(&app, &item, expected, Duration::from_secs(20)).await?, expected);

    let events = PostgresEventStore::connect(&url).await?;
    let head = quiet_head(&events, Duration::from_secs(60)).await?;
    let live = Arc::new(PostgresReadStore::connect(&url).await?);
    assert_equal_to_rebuild(&url, live.as_ref(), head).await?;
    let ready = app.get("/health/ready", None).await?;
    assert_eq!(ready.status, 200, "{ready}");
    Ok(())
}
