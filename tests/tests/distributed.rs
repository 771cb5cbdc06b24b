//! The distributed shape, from outside: `relay`, `projector`, `saga`, `write-api` and
//! `read-api` as separate processes (the projectors split over two) on the test's own
//! PostgreSQL database, its own nats-server and a MongoDB-wire read store (SecantusDB,
//! or `EMPORIUM_TEST_MONGODB_URI`). Checkouts run over HTTP while the relay, the
//! projectors and the saga are killed (SIGKILL) one after the other, several times; a
//! second test does the same on a three-node NATS cluster that loses a node under load.
//! Afterwards every order has settled once, nothing is oversold or charged twice, the JetStream stream holds the log with
//! sequence = position, and every read model equals one rebuilt from the log.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use emporium_infra::event_store::EventStore;
use emporium_infra::event_store::postgres::PostgresEventStore;
use emporium_infra::read_store::ReadStore;
use emporium_infra::read_store::mongodb::MongoReadStore;
use emporium_infra::read_store::postgres::PostgresReadStore;
use emporium_tests::app::TestApp;
use emporium_tests::checkout::{ProviderBooks, cents, customers, order_reaches, place, product, stock};
use emporium_tests::mongo::TestMongo;
use emporium_tests::nats::{NatsCluster, NatsServer};
use emporium_tests::postgres::TestDatabase;
use emporium_tests::rebuild::{assert_equal_to_rebuild, quiet_head};

const PRICE: i64 = 2_500;
const UNITS: i64 = 10;
const JWT_SECRET: &str = "a-shared-secret-for-every-process-of-the-test";

fn flags(db: &str, read_store: &str, bus: &str) -> Vec<String> {
    [
        ("--event-store", db),
        ("--account-store", db),
        ("--state-store", db),
        ("--read-store", read_store),
        ("--bus", bus),
    ]
    .into_iter()
    .flat_map(|(flag, value)| [flag.to_owned(), value.to_owned()])
    .collect()
}

/// One HTTP part; the parts that serve APIs or mail links share one token secret.
fn part(command: &str, mut args: Vec<String>, extra: &[&str]) -> anyhow::Result<TestApp> {
    if !matches!(command, "projector" | "relay") {
        args.extend(["--jwt-secret".to_owned(), JWT_SECRET.to_owned()]);
    }
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    TestApp::spawn_command(command, tempfile::tempdir()?, args, None)
}

/// The NATS the test runs on.
enum Bus {
    /// One node, stream replicas 1.
    Single(NatsServer),
    /// Three routed nodes, stream replicas 3; node 1 is stopped under load and brought back.
    Cluster(NatsCluster),
}

impl Bus {
    fn urls(&self) -> String {
        match self {
            Self::Single(node) => node.url.clone(),
            Self::Cluster(cluster) => cluster.urls(),
        }
    }

    fn replicas(&self) -> &'static str {
        match self {
            Self::Single(_) => "1",
            Self::Cluster(_) => "3",
        }
    }

    fn first(&self) -> &NatsServer {
        match self {
            Self::Single(node) => node,
            Self::Cluster(cluster) => &cluster.nodes[0],
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn separate_processes_on_jetstream_and_mongodb_survive_kills_and_match_a_rebuild() -> anyhow::Result<()> {
    run(Bus::Single(NatsServer::start().await?)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_three_node_nats_cluster_losing_a_node_under_load_loses_nothing() -> anyhow::Result<()> {
    run(Bus::Cluster(NatsCluster::start(3).await?)).await
}

async fn run(mut bus: Bus) -> anyhow::Result<()> {
    let db = TestDatabase::create().await?;
    let mongo = TestMongo::create("distributed").await?;
    let read_store = match &mongo {
        Some(mongo) => mongo.uri.clone(),
        None => {
            eprintln!("*** distributed test: no MongoDB-wire server; read models go to PostgreSQL instead ***");
            db.url.clone()
        }
    };
    let mut shared = flags(&db.url, &read_store, &bus.urls());
    shared.extend(["--bus-replicas".to_owned(), bus.replicas().to_owned()]);
    let mut relay = part("relay", shared.clone(), &[])?;
    let write = part("write-api", shared.clone(), &[])?;
    let read = part("read-api", shared.clone(), &[])?;
    // Projectors in two processes, by name, as a deployment may split them.
    let mut projector = part("projector", shared.clone(), &["orders", "payments", "notifications"])?;
    let mut other_projector = part("projector", shared.clone(), &["catalog", "inventory", "carts", "customers"])?;
    let mut saga = part("saga", shared.clone(), &["--payment-deadline-secs", "3"])?;

    let admin = write.admin_token().await?;
    let item = product(&write, &admin, "DIST-1", PRICE, UNITS).await?;
    let shoppers = customers(&write, "dist", 6).await?;
    let methods = ["pm_card_visa", "pm_card_mastercard", "pm_card_chargeDeclined", "pm_card_visa"];
    let attempts: Vec<(String, &str)> =
        shoppers.iter().flat_map(|token| methods.iter().map(move |method| (token.clone(), *method))).collect();
    let (shop, item_id) = (&write, item.as_str());
    let placing = futures::future::join_all(
        attempts
            .iter()
            .map(|(token, method)| async move { (token.clone(), place(shop, token, item_id, 1, method).await) }),
    );
    // Kill each consumer process while the checkouts are being placed and handled.
    let killing = async {
        if let Bus::Cluster(cluster) = &mut bus {
            tokio::time::sleep(Duration::from_millis(200)).await;
            cluster.nodes[1].kill()?;
            eprintln!("NATS node 1 stopped");
        }
        for round in 0..3 {
            tokio::time::sleep(Duration::from_millis(400)).await;
            relay.kill()?;
            relay.restart().await?;
            tokio::time::sleep(Duration::from_millis(300)).await;
            projector.kill()?;
            projector.restart().await?;
            other_projector.kill()?;
            other_projector.restart().await?;
            tokio::time::sleep(Duration::from_millis(300)).await;
            saga.kill()?;
            saga.restart().await?;
            eprintln!("kill round {round} done");
        }
        if let Bus::Cluster(cluster) = &mut bus {
            cluster.nodes[1].restart().await?;
            eprintln!("NATS node 1 back");
        }
        anyhow::Ok(())
    };
    let (answers, killed) = tokio::join!(placing, killing);
    killed?;
    let mut orders = Vec::new();
    for (token, answer) in answers {
        let answer = answer?;
        anyhow::ensure!(answer.status == 201, "placing an order: {answer}");
        orders.push((answer.data()["id"].as_str().context("order id")?.to_owned(), token));
    }

    // Every order settles once, through the read API of another process.
    let mut confirmed = 0;
    for (order_id, token) in &orders {
        let settled =
            order_reaches(&read, token, order_id, &["confirmed", "cancelled"], Duration::from_secs(90)).await?;
        if settled["status"] == "confirmed" {
            assert_eq!(cents(&settled["total"]), PRICE, "{settled}");
            confirmed += 1;
        } else {
            // Out of stock, or a declining card whose deadline passed: nothing else.
            let reason = settled["cancellation_reason"].as_str().unwrap_or_default();
            assert!(
                reason.starts_with("insufficient stock") || reason.contains("generic_decline"),
                "cancelled for an unexpected reason: {settled}"
            );
        }
    }
    eprintln!("{confirmed} of {} orders confirmed", orders.len());
    assert!(confirmed > 0 && confirmed <= UNITS, "{confirmed} confirmed of {UNITS} units");
    let books = ProviderBooks::read(&saga)?;
    assert_eq!(books.charged(), usize::try_from(confirmed)?, "one charge per confirmed order: {books:?}");
    assert_eq!(books.kept(), confirmed * PRICE, "{books:?}");

    // The stream holds the log: sequence = position, every event once.
    let events: Arc<dyn EventStore> = Arc::new(PostgresEventStore::connect(&db.url).await?);
    let head = quiet_head(events.as_ref(), Duration::from_secs(60)).await?;
    let js = bus.first().jetstream().await?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let mut stream = js.get_stream("EMPORIUM_EVENTS").await?;
        let state = stream.info().await?.state.clone();
        if state.last_sequence >= head {
            assert_eq!((state.first_sequence, state.last_sequence, state.messages), (1, head, head), "{state:?}");
            break;
        }
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "the relay did not publish up to {head}: {state:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Read models: caught up, then equal to a rebuild from the log.
    let live: Arc<dyn ReadStore> = match &mongo {
        Some(mongo) => Arc::new(MongoReadStore::connect(&mongo.uri).await?),
        None => Arc::new(PostgresReadStore::connect(&db.url).await?),
    };
    let compared = assert_equal_to_rebuild(&db.url, live.as_ref(), head).await?;
    eprintln!("read models equal to their rebuild: {compared:?}");
    assert!(compared.get("orders").copied().unwrap_or(0) >= orders.len(), "{compared:?}");

    // Every part answers ready, and no message was parked on the way.
    let parts =
        [("relay", &relay), ("write-api", &write), ("read-api", &read), ("projector", &projector), ("saga", &saga)];
    let parts = parts.into_iter().chain([("other projector", &other_projector)]);
    for (name, app) in parts {
        let ready = app.get("/health/ready", None).await?;
        assert_eq!(ready.status, 200, "{name}: {ready}");
        assert_eq!(ready.data()["parked"]["count"], 0, "{name}: {ready}");
    }
    assert_eq!(stock(&read, &item).await?, UNITS - confirmed, "no unit oversold or lost");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_with_a_bus_runs_every_part_in_one_process_relay_included() -> anyhow::Result<()> {
    let nats = NatsServer::start().await?;
    let app = TestApp::spawn_with(Some(TestDatabase::create().await?), &["--bus", nats.url.as_str()]).await?;
    let admin = app.admin_token().await?;
    let item = product(&app, &admin, "ONE-PROCESS", PRICE, 3).await?;
    // The read side only sees it through JetStream: the in-process relay published it.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let seen = app.get(&format!("/api/v1/products/{item}"), None).await?;
        // The product and its stock are two projectors: both must have caught up.
        if seen.status == 200 && seen.data()["stock"] == 3 {
            break;
        }
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "the product never reached the read side: {seen}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let ready = app.get("/health/ready", None).await?;
    assert_eq!(ready.status, 200, "{ready}");
    let consumers = ready.data()["consumers"].as_array().cloned().unwrap_or_default();
    let relay = consumers.iter().find(|c| c["name"] == "relay").context("the relay is on the board")?;
    assert_eq!(relay["condition"], "running", "{ready}");
    assert!(consumers.iter().all(|c| c["source"] == "jetstream"), "{ready}");
    let head = ready.data()["event_store"]["head_position"].as_u64().context("head")?;
    let mut stream = nats.jetstream().await?.get_stream("EMPORIUM_EVENTS").await?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while stream.info().await?.state.last_sequence < head {
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "the stream stayed behind the log's head {head}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}
