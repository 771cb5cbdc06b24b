//! Checkouts end to end through the real `emporium serve --payments stripe`, talking
//! to a fake Stripe in test mode (`emporium_tests::fake_stripe`) instead of
//! api.stripe.com: a paid order is authorised with manual capture and captured once;
//! a declined one waits and is paid with another card; a cancelled one is refunded
//! in full; a saved method shows what Stripe says about the card; and `--payments
//! stripe` without a key refuses to start.
//!
//! Each journey checks both sides: what the shop shows (order, payment view, stock)
//! and what reached Stripe (paths, form fields, `Authorization`, `Idempotency-Key`).
//!
//! The tests run on a multi-threaded runtime because the fake Stripe lives on the
//! test's runtime while the test thread blocks (starting the binary waits
//! synchronously for it to listen), and the shop must get its answers meanwhile.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use emporium_tests::app::TestApp;
use emporium_tests::checkout::{
    cents, customers, history, mails_settle, order_reaches, payment_reaches, placed, product, stock_settles,
};
use emporium_tests::fake_stripe::{FakeStripe, Recorded};
use serde_json::{Value, json};

/// The API key the shop is given; every request to Stripe must carry it.
const KEY: &str = "sk_test_emporium_e2e_51Hx";
/// Generous upper bounds for polling; a passing journey settles in well under a second.
const SETTLE: Duration = Duration::from_secs(10);
const INTENTS: &str = "/v1/payment_intents";

async fn stripe_app(fake: &FakeStripe) -> TestApp {
    let flags = ["--payments", "stripe", "--stripe-secret-key", KEY, "--stripe-api-base", &fake.base_url];
    TestApp::spawn_with(None, &flags).await.unwrap()
}

/// Every request reached Stripe authenticated with the shop's key, and every POST
/// with an idempotency key (so a retried call never charges twice).
fn assert_authenticated_and_idempotent(fake: &FakeStripe) {
    let requests = fake.requests();
    assert!(!requests.is_empty());
    for request in &requests {
        let bearer = format!("Bearer {KEY}");
        assert_eq!(request.header("authorization"), Some(bearer.as_str()), "{request:?}");
        if request.method == "POST" {
            assert!(request.header("idempotency-key").is_some_and(|key| !key.is_empty()), "{request:?}");
        }
    }
}

/// The requests that moved money back or released it: cancels and refunds.
fn undoings(fake: &FakeStripe) -> Vec<Recorded> {
    fake.requests().into_iter().filter(|r| r.path.ends_with("/cancel") || r.path == "/v1/refunds").collect()
}

/// The one capture of `reference`, checked for its amount.
fn the_capture(fake: &FakeStripe, reference: &str, cents: i64) -> Recorded {
    let captures = fake.calls("POST", &format!("{INTENTS}/{reference}/capture"));
    assert_eq!(captures.len(), 1, "{captures:?}");
    assert_eq!(captures[0].field("amount_to_capture"), Some(cents.to_string().as_str()), "{captures:?}");
    captures[0].clone()
}

fn reference_of(payment: &Value) -> String {
    let reference = payment["provider_reference"].as_str().unwrap_or_default().to_owned();
    assert!(reference.starts_with("pi_"), "{payment}");
    reference
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visa_checkout_is_authorised_for_manual_capture_and_captured_once() {
    let fake = FakeStripe::test_mode().await.unwrap();
    let app = stripe_app(&fake).await;
    let admin = app.admin_token().await.unwrap();
    let teapot = product(&app, &admin, "S-OK", 2500, 5).await.unwrap();
    let ann = customers(&app, "stripe-ok", 1).await.unwrap().remove(0);

    let order_id = placed(&app, &ann, &teapot, 2, "pm_card_visa").await.unwrap();
    let order =
        order_reaches(&app, &ann, &order_id, &["confirmed", "cancelled", "awaiting_payment"], SETTLE).await.unwrap();
    assert_eq!(order["status"], "confirmed", "{order}");
    assert_eq!(history(&order), ["pending", "paid", "confirmed"], "{order}");
    let paid = payment_reaches(&app, &ann, &order_id, "captured", SETTLE).await.unwrap();
    assert_eq!(cents(&paid["captured_amount"]), 5000, "{paid}");
    let reference = reference_of(&paid);

    let created = fake.calls("POST", INTENTS);
    assert_eq!(created.len(), 1, "one PaymentIntent per payment: {created:?}");
    let intent = &created[0];
    assert_eq!(intent.field("amount"), Some("5000"));
    assert_eq!(intent.field("currency"), Some("usd"));
    assert_eq!(intent.field("payment_method"), Some("pm_card_visa"));
    assert_eq!(intent.field("confirm"), Some("true"));
    // Authorise now, take the money once stock is committed.
    assert_eq!(intent.field("capture_method"), Some("manual"));
    // Leads Stripe's webhooks back to the payment.
    assert_eq!(intent.field("metadata[emporium_payment_id]"), paid["id"].as_str(), "{intent:?} {paid}");
    let capture = the_capture(&fake, &reference, 5000);
    assert_ne!(capture.header("idempotency-key"), intent.header("idempotency-key"));
    assert!(undoings(&fake).is_empty(), "{:?}", undoings(&fake));
    assert_authenticated_and_idempotent(&fake);

    assert_eq!(stock_settles(&app, &teapot, 3, SETTLE).await.unwrap(), 3);
    assert_eq!(mails_settle(&app, &order_id, "Order confirmed", 1, SETTLE).await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declined_card_leaves_the_order_awaiting_payment_until_a_mastercard_pays_it() {
    let fake = FakeStripe::test_mode().await.unwrap();
    let app = stripe_app(&fake).await;
    let admin = app.admin_token().await.unwrap();
    let teapot = product(&app, &admin, "S-RETRY", 2500, 5).await.unwrap();
    let ann = customers(&app, "stripe-retry", 1).await.unwrap().remove(0);

    let order_id = placed(&app, &ann, &teapot, 2, "pm_card_chargeDeclined").await.unwrap();
    let waiting =
        order_reaches(&app, &ann, &order_id, &["awaiting_payment", "confirmed", "cancelled"], SETTLE).await.unwrap();
    assert_eq!(waiting["status"], "awaiting_payment", "{waiting}");
    let declined = payment_reaches(&app, &ann, &order_id, "failed", SETTLE).await.unwrap();
    assert!(declined["failure_reason"].as_str().unwrap_or_default().contains("generic_decline"), "{declined}");
    assert_eq!(stock_settles(&app, &teapot, 5, SETTLE).await.unwrap(), 5, "a declined order holds no stock");

    let retry = json!({ "order_id": order_id, "payment_method": "pm_card_mastercard" });
    let accepted = app.post("/api/v1/payments/process", Some(&ann), &retry).await.unwrap();
    assert_eq!(accepted.status, 202, "{accepted}");
    let order = order_reaches(&app, &ann, &order_id, &["confirmed", "cancelled"], SETTLE).await.unwrap();
    assert_eq!(order["status"], "confirmed", "{order}");
    let paid = payment_reaches(&app, &ann, &order_id, "captured", SETTLE).await.unwrap();
    assert_eq!(paid["attempts"].as_array().map(Vec::len), Some(2), "{paid}");
    let reference = reference_of(&paid);

    let created = fake.calls("POST", INTENTS);
    let methods: Vec<_> = created.iter().map(|r| r.field("payment_method").unwrap_or_default()).collect();
    assert_eq!(methods, ["pm_card_chargeDeclined", "pm_card_mastercard"], "{created:?}");
    // A new attempt is a new charge at Stripe: reusing the declined attempt's key
    // would replay the decline (or be an idempotency_error).
    assert_ne!(created[0].header("idempotency-key"), created[1].header("idempotency-key"));
    assert_ne!(created[0].field("metadata[emporium_payment_id]"), created[1].field("metadata[emporium_payment_id]"));
    assert_eq!(created[1].field("metadata[emporium_payment_id]"), paid["id"].as_str());
    the_capture(&fake, &reference, 5000);
    assert_eq!(fake.requests().iter().filter(|r| r.path.ends_with("/capture")).count(), 1);
    assert!(undoings(&fake).is_empty(), "{:?}", undoings(&fake));
    assert_authenticated_and_idempotent(&fake);
    assert_eq!(stock_settles(&app, &teapot, 3, SETTLE).await.unwrap(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_confirmed_order_cancelled_by_its_owner_is_refunded_in_full_at_stripe() {
    let fake = FakeStripe::test_mode().await.unwrap();
    let app = stripe_app(&fake).await;
    let admin = app.admin_token().await.unwrap();
    let teapot = product(&app, &admin, "S-CANCEL", 2500, 5).await.unwrap();
    let ann = customers(&app, "stripe-cancel", 1).await.unwrap().remove(0);

    let order_id = placed(&app, &ann, &teapot, 2, "pm_card_visa").await.unwrap();
    order_reaches(&app, &ann, &order_id, &["confirmed"], SETTLE).await.unwrap();
    let reference = reference_of(&payment_reaches(&app, &ann, &order_id, "captured", SETTLE).await.unwrap());
    let cancel = json!({ "reason": "found a cheaper teapot" });
    let cancelled = app.post(&format!("/api/v1/orders/{order_id}/cancel"), Some(&ann), &cancel).await.unwrap();
    assert_eq!(cancelled.status, 200, "{cancelled}");

    let order = order_reaches(&app, &ann, &order_id, &["refunded"], SETTLE).await.unwrap();
    assert_eq!(order["cancellation_reason"], "found a cheaper teapot", "{order}");
    let refunded = payment_reaches(&app, &ann, &order_id, "refunded", SETTLE).await.unwrap();
    assert_eq!(cents(&refunded["refunded_amount"]), 5000, "{refunded}");

    let refunds = fake.calls("POST", "/v1/refunds");
    assert_eq!(refunds.len(), 1, "{refunds:?}");
    assert_eq!(refunds[0].field("payment_intent"), Some(reference.as_str()));
    assert_eq!(refunds[0].field("amount"), Some("5000"));
    // A captured intent is refunded, never cancelled.
    assert!(fake.requests().iter().all(|r| !r.path.ends_with("/cancel")), "{:?}", fake.requests());
    assert_authenticated_and_idempotent(&fake);
    assert_eq!(stock_settles(&app, &teapot, 5, SETTLE).await.unwrap(), 5, "sold units came back");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_method_shows_the_brand_and_last4_stripe_reports() {
    let fake = FakeStripe::test_mode().await.unwrap();
    let app = stripe_app(&fake).await;
    let ann = customers(&app, "stripe-wallet", 1).await.unwrap().remove(0);

    let saved = app.post("/api/v1/payments/methods", Some(&ann), &json!({ "token": "pm_card_visa" })).await.unwrap();
    assert_eq!(saved.status, 201, "{saved}");
    assert_eq!((saved.data()["brand"].as_str(), saved.data()["last4"].as_str()), (Some("visa"), Some("4242")));
    let described = fake.calls("GET", "/v1/payment_methods/pm_card_visa");
    assert_eq!(described.len(), 1, "{:?}", fake.requests());

    // Stripe's 404 for a PaymentMethod it does not know is the shop's 400 on `token`.
    let unknown =
        app.post("/api/v1/payments/methods", Some(&ann), &json!({ "token": "pm_card_unheard_of" })).await.unwrap();
    assert_eq!(unknown.status, 400, "{unknown}");
    assert_eq!(unknown.error_fields(), ["token"], "{unknown}");
    assert_eq!(fake.calls("GET", "/v1/payment_methods/pm_card_unheard_of").len(), 1);
    assert_authenticated_and_idempotent(&fake);
}

#[test]
fn serving_with_stripe_but_no_secret_key_fails_fast_naming_the_flag() {
    let data_dir = tempfile::tempdir().unwrap();
    let log_path = data_dir.path().join("stderr.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut child = std::process::Command::new(emporium_tests::app::binary().unwrap())
        .args(["serve", "--port", "0", "--payments", "stripe", "--data-dir"])
        .arg(data_dir.path().join("data"))
        // Neither the key nor anything else may come from the environment of the run.
        .env_remove("EMPORIUM_STRIPE_SECRET_KEY")
        .env_remove("EMPORIUM_PAYMENTS")
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::null())
        // A file rather than a pipe: nobody has to drain it while we wait.
        .stderr(log)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("emporium serve --payments stripe without a key was still running after 20 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stderr = std::fs::read_to_string(&log_path).unwrap();
    assert!(!status.success(), "{status}: {stderr}");
    assert!(stderr.contains("--stripe-secret-key"), "{stderr}");
}
