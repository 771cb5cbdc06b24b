//! A poison event from outside: an undecodable payload written straight into the
//! store of a running `emporium serve`. The consumers that cannot decode it park it
//! and name it (in `/health/ready` and `emporium dlq list`), and everything after it
//! is still processed.

use std::time::Duration;

use emporium_infra::event_store::sqlite::SqliteEventStore;
use emporium_infra::event_store::{AppendRequest, EventMetadata, EventStore, ExpectedVersion, NewEvent};
use emporium_tests::app::{TestApp, binary};
use emporium_tests::checkout::product;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(20);

/// Appends a `ProductCreated` whose payload no version of the event can decode.
async fn append_poison(app: &TestApp) -> anyhow::Result<u64> {
    let store = SqliteEventStore::open(&app.data_dir.path().join("events.db")).await?;
    let stream = format!("product-{}", uuid::Uuid::now_v7());
    let event = NewEvent {
        event_id: uuid::Uuid::now_v7(),
        event_type: "ProductCreated".to_owned(),
        schema_version: 1,
        data: json!({ "this is": "not a product" }),
        metadata: EventMetadata::default(),
    };
    let outcome = store
        .append(AppendRequest {
            stream_id: stream,
            expected: ExpectedVersion::NoStream,
            events: vec![event],
            command_id: None,
        })
        .await?;
    Ok(outcome.last_position)
}

/// `emporium dlq list --json` on the app's data dir, one value per parked message.
fn dlq_list(app: &TestApp) -> anyhow::Result<Vec<Value>> {
    let output = std::process::Command::new(binary()?)
        .args(["--log", "warn", "dlq", "list", "--json", "--data-dir"])
        .arg(app.data_dir.path())
        .output()?;
    anyhow::ensure!(output.status.success(), "dlq list failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout)?.lines().map(|line| Ok(serde_json::from_str(line)?)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_undecodable_event_is_parked_and_named_and_everything_after_it_is_processed() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let admin = app.admin_token().await?;
    let poison = append_poison(&app).await?;
    // Written after the poison event: it must still reach the catalog.
    let after = product(&app, &admin, "AFTER-POISON", 1_000, 3).await?;
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let read = app.get(&format!("/api/v1/products/{after}"), None).await?;
        if read.status == 200 {
            break;
        }
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "the product after the poison event never showed: {read}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let parked = loop {
        let parked = dlq_list(&app)?;
        if parked.iter().any(|p| p["consumer"] == "catalog" && p["position"] == poison) {
            break parked;
        }
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "the poison event was not parked: {parked:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let entry = parked.iter().find(|p| p["consumer"] == "catalog").expect("found above");
    assert_eq!(entry["event_type"], "ProductCreated");
    assert!(entry["reason"].as_str().unwrap_or_default().contains("ProductCreated"), "{entry}");

    // Ready (nothing stopped), with the parked message in its detail.
    let ready = app.get("/health/ready", None).await?;
    assert_eq!(ready.status, 200, "{ready}");
    let detail = ready.data();
    assert!(detail["parked"]["count"].as_u64().unwrap_or(0) >= 1, "{detail}");
    assert!(detail["parked"]["messages"].as_array().into_iter().flatten().any(|m| m["position"] == poison), "{detail}");
    let catalog = detail["consumers"].as_array().into_iter().flatten().find(|c| c["name"] == "catalog");
    assert_eq!(catalog.map(|c| c["parked"].as_u64()), Some(Some(1)), "{detail}");

    // Sent back with `dlq replay`: the consumer tries it again; still undecodable, it
    // stays parked with one more attempt counted and the replay mark cleared.
    let attempts = entry["attempts"].as_u64().unwrap_or(0);
    let replay = std::process::Command::new(binary()?)
        .args(["--log", "warn", "dlq", "replay", "--consumer", "catalog", "--position"])
        .arg(poison.to_string())
        .arg("--data-dir")
        .arg(app.data_dir.path())
        .output()?;
    assert!(replay.status.success(), "dlq replay failed: {}", String::from_utf8_lossy(&replay.stderr));
    assert!(String::from_utf8_lossy(&replay.stdout).contains("1 parked message(s) sent back"));
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let again = dlq_list(&app)?;
        let entry = again.iter().find(|p| p["consumer"] == "catalog" && p["position"] == poison);
        let entry =
            entry.ok_or_else(|| anyhow::anyhow!("the entry vanished although the event still cannot be read"))?;
        if entry["attempts"].as_u64().unwrap_or(0) > attempts {
            assert_eq!(entry["replay_requested"], false, "{entry}");
            break;
        }
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "the replay was never tried: {entry}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(())
}
