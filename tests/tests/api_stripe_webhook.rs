//! Stripe's webhook end to end through the real `emporium serve`, started with
//! `--stripe-webhook-secret`: deliveries signed per Stripe's scheme
//! (`t=<ts>,v1=<hex HMAC-SHA256(secret, "<ts>.<body>")>`) are handled, anything
//! else is a 400 that changes nothing; a refund made in Stripe's Dashboard reaches
//! the payment once, however often Stripe delivers it; a refund Emporium made itself
//! is not counted again; without a secret the endpoint is a 404.
//!
//! Orders are paid by the default simulated gateway: the webhook finds the payment
//! by the charge's `metadata.emporium_payment_id` and checks the charge's
//! `payment_intent` against the provider reference the payment view shows.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use emporium_tests::app::{ApiResponse, TestApp};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

const WEBHOOK: &str = "/api/v1/payments/webhooks/stripe";
const SECRET: &str = "whsec_test_emporium_webhooks_0123456789";

async fn shop_with_webhooks() -> TestApp {
    TestApp::spawn_with(None, &["--stripe-webhook-secret", SECRET]).await.unwrap()
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// `Stripe-Signature` for `body` at `timestamp`, as Stripe computes it.
fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    format!("t={timestamp},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// Posts `body` with `signature` (none when `None`).
async fn deliver_signed(app: &TestApp, body: &[u8], signature: Option<&str>) -> ApiResponse {
    let mut headers = vec![("content-type", "application/json")];
    if let Some(signature) = signature {
        headers.push(("Stripe-Signature", signature));
    }
    app.post_bytes(WEBHOOK, &headers, body.to_vec()).await.unwrap()
}

/// Posts `body` signed now with the shop's secret.
async fn deliver(app: &TestApp, body: &[u8]) -> ApiResponse {
    deliver_signed(app, body, Some(&signature(SECRET, now(), body))).await
}

fn event(id: &str, kind: &str, object: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "id": id, "object": "event", "api_version": "2024-06-20", "created": now(),
        "livemode": false, "type": kind, "data": { "object": object },
    }))
    .unwrap()
}

/// A `charge.refunded` for `payment` (a payment view) reporting `amount_refunded` in all.
fn charge_refunded(id: &str, payment: &Value, amount_refunded: i64) -> Vec<u8> {
    let captured = payment["captured_amount"]["amount"].as_i64().unwrap();
    event(
        id,
        "charge.refunded",
        json!({
            "id": "ch_test_webhook", "object": "charge", "amount": captured, "amount_captured": captured,
            "amount_refunded": amount_refunded, "captured": true, "refunded": amount_refunded == captured,
            "currency": payment["amount"]["currency"].as_str().unwrap().to_ascii_lowercase(),
            "payment_intent": payment["provider_reference"], "status": "succeeded",
            "metadata": { "emporium_payment_id": payment["id"] },
        }),
    )
}

/// A customer's order of one 50.00 USD item, paid by the saga; returns the payment view.
async fn paid_order(app: &TestApp) -> Value {
    let admin = app.admin_token().await.unwrap();
    let product = json!({
        "name": "Kettle", "description": "", "sku": "KETTLE-1",
        "price": { "amount": 5000, "currency": "USD" }, "images": [], "stock": 5,
    });
    let created = app.post("/api/v1/products", Some(&admin), &product).await.unwrap();
    assert_eq!(created.status, 201, "{created}");
    let (_ann, ann) = app.customer("ann@example.com").await.unwrap();
    let order = json!({
        "shipping_address": { "name": "Ann", "line1": "1 Main St", "line2": null, "city": "Berlin", "postal_code": "10115", "country": "DE" },
        "payment_method": "pm_card_visa",
        "lines": [{ "product_id": created.data()["id"], "quantity": 1 }],
    });
    let placed = app.post("/api/v1/orders", Some(&ann), &order).await.unwrap();
    assert_eq!(placed.status, 201, "{placed}");
    let order_id = placed.data()["id"].as_str().unwrap().to_owned();
    let mut last = String::new();
    for _ in 0..100 {
        let paid = app.get(&format!("/api/v1/payments/order/{order_id}"), Some(&admin)).await.unwrap();
        if paid.status == 200 && paid.data()["status"] == "captured" {
            return paid.data().clone();
        }
        last = paid.to_string();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("order {order_id} was never paid: {last}");
}

/// The payment view once the read model has reached `position`.
async fn payment_after(app: &TestApp, payment_id: &str, position: u64) -> Value {
    let admin = app.admin_token().await.unwrap();
    let shown = app.get_after(&format!("/api/v1/payments/{payment_id}"), Some(&admin), position).await.unwrap();
    assert_eq!(shown.status, 200, "{shown}");
    shown.data().clone()
}

fn refunded(payment: &Value) -> i64 {
    payment["refunded_amount"]["amount"].as_i64().unwrap()
}

#[tokio::test]
async fn a_refund_made_in_stripes_dashboard_is_recorded_once_however_often_stripe_delivers_it() {
    let app = shop_with_webhooks().await;
    let payment = paid_order(&app).await;
    let payment_id = payment["id"].as_str().unwrap();
    assert_eq!(refunded(&payment), 0);

    let first = charge_refunded("evt_dashboard_refund_1", &payment, 1500);
    let recorded = deliver(&app, &first).await;
    assert_eq!(recorded.status, 200, "{recorded}");
    assert!(recorded.is_envelope(), "{recorded}");
    assert_eq!(recorded.data()["outcome"], "refund_recorded", "{recorded}");
    assert_eq!(recorded.data()["payment_id"], payment_id);
    assert_eq!(recorded.data()["refund"], json!({ "amount": 1500, "currency": "USD" }));
    assert!(recorded.position() > 0 && recorded.data()["position"] == recorded.position(), "{recorded}");
    let shown = payment_after(&app, payment_id, recorded.position()).await;
    assert_eq!((refunded(&shown), shown["status"].as_str()), (1500, Some("partially_refunded")), "{shown}");
    assert_eq!(shown["refunds"][0]["id"], "stripe:evt_dashboard_refund_1", "{shown}");

    // Stripe redelivers the same event: nothing more happens.
    let again = deliver(&app, &first).await;
    assert_eq!((again.status, again.data()["outcome"].as_str()), (200, Some("duplicate")), "{again}");
    // Another event reporting the same total (e.g. `charge.refunded` after an
    // update) finds nothing left to record.
    let same_total = deliver(&app, &charge_refunded("evt_dashboard_refund_2", &payment, 1500)).await;
    assert_eq!((same_total.status, same_total.data()["outcome"].as_str()), (200, Some("already_recorded")));

    // The rest refunded later: only the difference is recorded.
    let rest = deliver(&app, &charge_refunded("evt_dashboard_refund_3", &payment, 5000)).await;
    assert_eq!(rest.data()["refund"]["amount"], 3500, "{rest}");
    let shown = payment_after(&app, payment_id, rest.position()).await;
    assert_eq!((refunded(&shown), shown["status"].as_str()), (5000, Some("refunded")), "{shown}");
    assert_eq!(shown["refunds"].as_array().unwrap().len(), 2, "{shown}");
    // The order records the refunds as well, as for a staff refund.
    let admin = app.admin_token().await.unwrap();
    let order_path = format!("/api/v1/orders/{}", shown["order_id"].as_str().unwrap());
    let order = app.get_after(&order_path, Some(&admin), rest.position()).await.unwrap();
    assert_eq!(order.data()["status"], "refunded", "{order}");
}

#[tokio::test]
async fn a_refund_emporium_made_itself_is_not_recorded_again_when_stripe_reports_it() {
    let app = shop_with_webhooks().await;
    let payment = paid_order(&app).await;
    let payment_id = payment["id"].as_str().unwrap();
    let admin = app.admin_token().await.unwrap();
    let staff = app
        .post("/api/v1/payments/refund", Some(&admin), &json!({ "payment_id": payment_id, "amount": 1000 }))
        .await
        .unwrap();
    assert_eq!(staff.status, 200, "{staff}");

    let reported = deliver(&app, &charge_refunded("evt_emporium_refund", &payment, 1000)).await;
    assert_eq!((reported.status, reported.data()["outcome"].as_str()), (200, Some("already_recorded")), "{reported}");
    let shown = payment_after(&app, payment_id, staff.position()).await;
    assert_eq!(refunded(&shown), 1000, "{shown}");
}

#[tokio::test]
async fn tampered_wrongly_signed_stale_and_unsigned_deliveries_are_400s_that_change_nothing() {
    let app = shop_with_webhooks().await;
    let payment = paid_order(&app).await;
    let payment_id = payment["id"].as_str().unwrap();
    let body = charge_refunded("evt_forged", &payment, 5000);

    let tampered = {
        let signed = signature(SECRET, now(), &charge_refunded("evt_forged", &payment, 1));
        deliver_signed(&app, &body, Some(&signed)).await
    };
    let wrong_secret = deliver_signed(&app, &body, Some(&signature("whsec_not_ours", now(), &body))).await;
    let stale = deliver_signed(&app, &body, Some(&signature(SECRET, now() - 400, &body))).await;
    let unsigned = deliver_signed(&app, &body, None).await;
    let garbled = deliver_signed(&app, &body, Some("v1=deadbeef")).await;
    for (answer, code) in [
        (&tampered, "webhook.signature_mismatch"),
        (&wrong_secret, "webhook.signature_mismatch"),
        (&stale, "webhook.signature_expired"),
        (&unsigned, "webhook.signature_missing"),
        (&garbled, "webhook.signature_malformed"),
    ] {
        assert_eq!((answer.status, answer.error_codes()), (400, vec![code.to_owned()]), "{answer}");
        assert!(answer.is_envelope() && answer.body["success"] == false, "{answer}");
    }
    let signed_garbage = deliver(&app, b"{\"id\":\"evt_x\"}").await;
    assert_eq!(
        (signed_garbage.status, signed_garbage.error_codes()),
        (400, vec!["webhook.malformed_event".to_owned()])
    );

    let shown = payment_after(&app, payment_id, 0).await;
    assert_eq!((refunded(&shown), shown["status"].as_str()), (0, Some("captured")), "{shown}");
    // No refused delivery was remembered: the genuine one is handled in full.
    let genuine = deliver(&app, &body).await;
    assert_eq!((genuine.status, genuine.data()["outcome"].as_str()), (200, Some("refund_recorded")), "{genuine}");
    assert_eq!(refunded(&payment_after(&app, payment_id, genuine.position()).await), 5000);
}

#[tokio::test]
async fn payment_intent_events_are_acknowledged_and_everything_else_is_a_200_that_does_nothing() {
    let app = shop_with_webhooks().await;
    let intent = json!({ "id": "pi_test_1", "object": "payment_intent", "status": "succeeded", "metadata": {} });
    for (id, kind, outcome) in [
        ("evt_intent_1", "payment_intent.succeeded", "acknowledged"),
        ("evt_intent_2", "payment_intent.payment_failed", "acknowledged"),
        ("evt_intent_3", "payment_intent.canceled", "acknowledged"),
        ("evt_other_1", "customer.created", "ignored"),
    ] {
        let answer = deliver(&app, &event(id, kind, intent.clone())).await;
        assert_eq!(answer.status, 200, "{kind}: {answer}");
        assert_eq!((answer.data()["event_id"].as_str(), answer.data()["outcome"].as_str()), (Some(id), Some(outcome)));
    }
    // A refunded charge of another integration on the same Stripe account.
    let foreign = json!({
        "id": "ch_foreign", "object": "charge", "amount_refunded": 100, "currency": "usd",
        "payment_intent": "pi_foreign", "metadata": {},
    });
    let answer = deliver(&app, &event("evt_foreign", "charge.refunded", foreign)).await;
    assert_eq!((answer.status, answer.data()["outcome"].as_str()), (200, Some("ignored")), "{answer}");
    // Or one naming a payment that does not exist.
    let ghost = json!({
        "id": "ch_ghost", "object": "charge", "amount_refunded": 100, "currency": "usd",
        "payment_intent": "pi_ghost", "metadata": { "emporium_payment_id": uuid::Uuid::now_v7().to_string() },
    });
    let answer = deliver(&app, &event("evt_ghost", "charge.refunded", ghost)).await;
    assert_eq!((answer.status, answer.data()["outcome"].as_str()), (200, Some("ignored")), "{answer}");
}

#[tokio::test]
async fn without_a_signing_secret_the_webhook_is_a_404_in_the_envelope() {
    let app = TestApp::spawn().await.unwrap();
    let body = event("evt_off", "customer.created", json!({ "id": "cus_1" }));
    let answer = deliver(&app, &body).await;
    assert_eq!((answer.status, answer.error_codes()), (404, vec!["webhook.not_enabled".to_owned()]), "{answer}");
    assert!(answer.is_envelope(), "{answer}");
}
