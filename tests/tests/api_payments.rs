//! Payments over HTTP, end to end through the real `emporium serve` on the simulated
//! provider: customers save payment methods and list their own; tokens the provider
//! does not know, card numbers and bad bodies are refused in the envelope; refunds
//! are for staff; nobody sees another customer's payments or methods; and no token
//! ever reaches the event log.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use emporium_tests::app::{ApiResponse, TestApp};
use emporium_tests::checkout;
use serde_json::{Value, json};
use sqlx::Connection;

const METHODS: &str = "/api/v1/payments/methods";

async fn save(app: &TestApp, token: &str, provider_token: &str) -> ApiResponse {
    app.post(METHODS, Some(token), &json!({ "token": provider_token })).await.unwrap()
}

fn items(list: &ApiResponse) -> Vec<Value> {
    list.data()["items"].as_array().cloned().unwrap_or_default()
}

/// Every event's data and metadata as text, read straight from the SQLite log.
async fn event_log(app: &TestApp) -> String {
    let path = app.data_dir.path().join("events.db");
    let mut connection =
        sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=ro", path.display())).await.unwrap();
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT data, metadata FROM events ORDER BY global_position")
        .fetch_all(&mut connection)
        .await
        .unwrap();
    rows.into_iter().map(|(data, metadata)| format!("{data}\n{metadata}\n")).collect()
}

#[tokio::test]
async fn a_customer_saves_a_visa_and_lists_it_but_another_customer_cannot_see_it() {
    let app = TestApp::spawn().await.unwrap();
    let (ann, ann_token) = app.customer("ann@example.com").await.unwrap();
    let (_bob, bob_token) = app.customer("bob@example.com").await.unwrap();

    let saved = save(&app, &ann_token, "pm_card_visa").await;
    assert_eq!(saved.status, 201, "{saved}");
    assert!(saved.is_envelope());
    let id = saved.data()["id"].as_str().unwrap().to_owned();
    assert_eq!((saved.data()["brand"].as_str(), saved.data()["last4"].as_str()), (Some("visa"), Some("4242")));
    assert_eq!(saved.header("location"), Some(format!("{METHODS}/{ann}").as_str()));
    assert!(saved.position() > 0);
    assert_eq!(saved.data()["position"], saved.position());
    assert!(!saved.text.contains("pm_card_visa"), "the answer must not echo the token: {saved}");

    let listed = app.get_after(&format!("{METHODS}/{ann}"), Some(&ann_token), saved.position()).await.unwrap();
    assert_eq!(listed.status, 200, "{listed}");
    let methods = items(&listed);
    assert_eq!(methods.len(), 1, "{listed}");
    assert_eq!(
        (methods[0]["id"].as_str(), methods[0]["brand"].as_str(), methods[0]["last4"].as_str()),
        (Some(id.as_str()), Some("visa"), Some("4242"))
    );
    assert_eq!(listed.data()["total"], 1);
    assert!(!listed.text.contains("pm_card") && !listed.text.contains("fingerprint"), "{listed}");

    let peeked = app.get_after(&format!("{METHODS}/{ann}"), Some(&bob_token), saved.position()).await.unwrap();
    assert_eq!(peeked.status, 404, "{peeked}");
    assert!(peeked.is_envelope());
    let staff = app
        .get_after(&format!("{METHODS}/{ann}"), Some(&app.admin_token().await.unwrap()), saved.position())
        .await
        .unwrap();
    assert_eq!((staff.status, items(&staff).len()), (200, 1), "{staff}");
    assert_eq!(app.get(&format!("{METHODS}/{ann}"), None).await.unwrap().status, 401);

    assert!(!event_log(&app).await.contains("pm_card_visa"), "a provider token reached the event log");
}

#[tokio::test]
async fn saving_the_same_token_again_answers_the_same_method_and_a_second_card_adds_one() {
    let app = TestApp::spawn().await.unwrap();
    let (ann, token) = app.customer("ann@example.com").await.unwrap();
    let first = save(&app, &token, "pm_card_visa").await;
    assert_eq!(first.status, 201, "{first}");
    let again = save(&app, &token, " pm_card_visa ").await;
    assert_eq!(again.status, 200, "{again}");
    assert_eq!(again.data()["id"], first.data()["id"]);
    let mastercard = save(&app, &token, "pm_card_mastercard").await;
    assert_eq!(mastercard.status, 201, "{mastercard}");
    assert_eq!(
        (mastercard.data()["brand"].as_str(), mastercard.data()["last4"].as_str()),
        (Some("mastercard"), Some("4444"))
    );
    let listed = app.get_after(&format!("{METHODS}/{ann}"), Some(&token), mastercard.position()).await.unwrap();
    let brands: Vec<_> = items(&listed).iter().map(|m| m["brand"].as_str().unwrap().to_owned()).collect();
    assert_eq!(brands, ["visa", "mastercard"], "{listed}");
}

#[tokio::test]
async fn a_token_the_provider_does_not_know_is_a_400_naming_token() {
    let app = TestApp::spawn().await.unwrap();
    let (ann, token) = app.customer("ann@example.com").await.unwrap();
    let refused = save(&app, &token, "pm_card_nonsense").await;
    assert_eq!(refused.status, 400, "{refused}");
    assert!(refused.is_envelope());
    assert_eq!(refused.error_fields(), ["token"]);
    assert_eq!(refused.error_codes(), ["payment.invalid_method"]);

    let card = save(&app, &token, "4242 4242 4242 4242").await;
    assert_eq!((card.status, card.error_fields()), (400, vec!["token".to_owned()]), "{card}");
    assert_eq!(card.error_codes(), ["payment.card_number_refused"]);
    assert!(!card.text.contains("4242 4242"), "{card}");

    for body in [
        json!({ "token": "" }),
        json!({ "token": "x".repeat(5_000) }),
        json!({ "token": 42 }),
        json!({}),
        json!({ "token": "pm_card_visa", "cvc": "123" }),
    ] {
        let answer = app.post(METHODS, Some(&token), &body).await.unwrap();
        assert_eq!(answer.status, 400, "{body} -> {answer}");
        assert!(answer.is_envelope(), "{answer}");
    }
    let malformed = app
        .send_raw(reqwest::Method::POST, METHODS, Some(&token), "application/json", b"{\"token\":".to_vec())
        .await
        .unwrap();
    assert_eq!(malformed.status, 400, "{malformed}");
    let not_json = app
        .send_raw(reqwest::Method::POST, METHODS, Some(&token), "text/plain", b"pm_card_visa".to_vec())
        .await
        .unwrap();
    assert_eq!(not_json.status, 415, "{not_json}");
    assert_eq!(app.post(METHODS, None, &json!({ "token": "pm_card_visa" })).await.unwrap().status, 401);

    let listed = app.get(&format!("{METHODS}/{ann}"), Some(&token)).await.unwrap();
    assert_eq!((listed.status, items(&listed).len()), (200, 0), "nothing was saved: {listed}");
}

#[tokio::test]
async fn declining_test_cards_can_be_saved_for_a_later_decline() {
    let app = TestApp::spawn().await.unwrap();
    let (_ann, token) = app.customer("ann@example.com").await.unwrap();
    let saved = save(&app, &token, "pm_card_chargeDeclinedInsufficientFunds").await;
    assert_eq!(saved.status, 201, "{saved}");
    assert_eq!(saved.data()["last4"], "9995");
}

#[tokio::test]
async fn refunds_are_for_admins_and_managers_only() {
    let app = TestApp::spawn().await.unwrap();
    let (_ann, customer) = app.customer("ann@example.com").await.unwrap();
    let admin = app.admin_token().await.unwrap();
    let payment_id = uuid::Uuid::now_v7().to_string();
    let body = json!({ "payment_id": payment_id, "amount": 100 });

    let as_customer = app.post("/api/v1/payments/refund", Some(&customer), &body).await.unwrap();
    assert_eq!(as_customer.status, 403, "{as_customer}");
    assert!(as_customer.is_envelope());
    // Refused before the body is even read.
    let garbage = app.post("/api/v1/payments/refund", Some(&customer), &json!({ "nonsense": true })).await.unwrap();
    assert_eq!(garbage.status, 403, "{garbage}");
    assert_eq!(app.post("/api/v1/payments/refund", None, &body).await.unwrap().status, 401);

    let unknown = app.post("/api/v1/payments/refund", Some(&admin), &body).await.unwrap();
    assert_eq!(unknown.status, 404, "{unknown}");
    assert_eq!(unknown.error_codes(), ["payment.not_found"]);
    let whole = app.post("/api/v1/payments/refund", Some(&admin), &json!({ "payment_id": payment_id })).await.unwrap();
    assert_eq!(whole.status, 404, "{whole}");
}

#[tokio::test]
async fn absurd_refunds_are_400s_in_the_envelope() {
    let app = TestApp::spawn().await.unwrap();
    let admin = app.admin_token().await.unwrap();
    let id = uuid::Uuid::now_v7().to_string();
    let cases = [
        (json!({ "payment_id": "not-an-id", "amount": 100 }), "payment_id"),
        (json!({ "payment_id": id, "amount": -5 }), "amount"),
        (json!({ "payment_id": id, "amount": 0 }), "amount"),
        (json!({ "payment_id": id, "amount": 1e30 }), "amount"),
        (json!({ "payment_id": id, "amount": "lots" }), "amount"),
        (json!({ "payment_id": id, "amount": { "amount": 5, "currency": "dollars" } }), "amount"),
        (json!({ "payment_id": id, "amount": 5, "reason": "x" }), "reason"),
    ];
    for (body, field) in cases {
        let answer = app.post("/api/v1/payments/refund", Some(&admin), &body).await.unwrap();
        assert_eq!(answer.status, 400, "{body} -> {answer}");
        assert!(answer.is_envelope(), "{answer}");
        assert!(answer.error_fields().iter().any(|f| f.starts_with(field)), "{body} -> {answer}");
    }
}

#[tokio::test]
async fn paying_an_order_needs_ones_own_existing_order_and_a_usable_method() {
    let app = TestApp::spawn().await.unwrap();
    let (_ann, token) = app.customer("ann@example.com").await.unwrap();
    let process = "/api/v1/payments/process";
    let unknown = uuid::Uuid::now_v7().to_string();

    let missing = app
        .post(process, Some(&token), &json!({ "order_id": unknown, "payment_method": "pm_card_visa" }))
        .await
        .unwrap();
    assert_eq!(missing.status, 404, "{missing}");
    assert_eq!(missing.error_codes(), ["order.not_found"]);
    let bad = app
        .post(process, Some(&token), &json!({ "order_id": "42", "payment_method": "4111111111111111" }))
        .await
        .unwrap();
    assert_eq!(bad.status, 400, "{bad}");
    assert_eq!(bad.error_fields(), ["order_id", "payment_method"]);
    assert!(!bad.text.contains("4111111111111111"), "{bad}");
    let unknown_field = app
        .post(process, Some(&token), &json!({ "order_id": unknown, "payment_method": "pm_card_visa", "amount": 1 }))
        .await
        .unwrap();
    assert_eq!(unknown_field.status, 400, "{unknown_field}");
    assert_eq!(
        app.post(process, None, &json!({ "order_id": unknown, "payment_method": "pm_card_visa" }))
            .await
            .unwrap()
            .status,
        401
    );
}

#[tokio::test]
async fn payments_that_do_not_exist_or_are_not_ones_own_are_404s() {
    let app = TestApp::spawn().await.unwrap();
    let (_ann, token) = app.customer("ann@example.com").await.unwrap();
    let id = uuid::Uuid::now_v7();
    for path in [
        format!("/api/v1/payments/{id}"),
        "/api/v1/payments/not-an-id".to_owned(),
        format!("/api/v1/payments/order/{id}"),
        "/api/v1/payments/order/%00".to_owned(),
        "/api/v1/payments/methods/someone-else".to_owned(),
        format!("/api/v1/payments/methods/{id}"),
    ] {
        let answer = app.get(&path, Some(&token)).await.unwrap();
        assert_eq!(answer.status, 404, "{path} -> {answer}");
        assert!(answer.is_envelope(), "{answer}");
    }
    assert_eq!(app.get(&format!("/api/v1/payments/{id}"), None).await.unwrap().status, 401);
}

/// How long a test waits for the saga or a read model.
const SETTLE: Duration = Duration::from_secs(20);

/// Polls the order until its status is `status` (the checkout saga works after the answer).
async fn order_reaches(app: &TestApp, token: &str, order_id: &str, status: &str) -> Value {
    checkout::order_reaches(app, token, order_id, &[status], SETTLE).await.unwrap()
}

/// The order's payment view once it shows `status` (the payments read model may trail
/// the orders one by a moment).
async fn payment_reaches(app: &TestApp, token: &str, order_id: &str, status: &str) -> Value {
    checkout::payment_reaches(app, token, order_id, status, SETTLE).await.unwrap()
}

#[tokio::test]
async fn a_declined_order_is_paid_with_a_saved_visa_and_then_refunded_in_two_steps() {
    let app = TestApp::spawn().await.unwrap();
    let admin = app.admin_token().await.unwrap();
    let (_ann, ann) = app.customer("ann@example.com").await.unwrap();
    let (_bob, bob) = app.customer("bob@example.com").await.unwrap();
    let product = json!({
        "name": "Teapot", "description": "Holds tea", "sku": "TEAPOT-1",
        "price": { "amount": 2500, "currency": "USD" }, "images": [], "stock": 5,
    });
    let created = app.post("/api/v1/products", Some(&admin), &product).await.unwrap();
    assert_eq!(created.status, 201, "{created}");
    let product_id = created.data()["id"].as_str().unwrap().to_owned();
    let visa = save(&app, &ann, "pm_card_visa").await;
    assert_eq!(visa.status, 201, "{visa}");
    let visa_id = visa.data()["id"].as_str().unwrap().to_owned();

    let order = json!({
        "shipping_address": { "name": "Ann", "line1": "1 Tea Street", "line2": null, "city": "Leeds", "postal_code": "LS1 1AA", "country": "GB" },
        "payment_method": "pm_card_chargeDeclined",
        "lines": [{ "product_id": product_id, "quantity": 2 }],
    });
    let placed = app.post("/api/v1/orders", Some(&ann), &order).await.unwrap();
    assert_eq!(placed.status, 201, "{placed}");
    let order_id = placed.data()["id"].as_str().unwrap().to_owned();
    order_reaches(&app, &ann, &order_id, "awaiting_payment").await;
    let declined = app.get(&format!("/api/v1/payments/order/{order_id}"), Some(&ann)).await.unwrap();
    assert_eq!(declined.status, 200, "{declined}");
    assert_eq!(declined.data()["status"], "failed", "{declined}");
    assert!(declined.data()["failure_reason"].as_str().unwrap().contains("generic_decline"), "{declined}");

    let body = json!({ "order_id": order_id, "payment_method": visa_id });
    assert_eq!(app.post("/api/v1/payments/process", Some(&bob), &body).await.unwrap().status, 404);
    let accepted = app.post("/api/v1/payments/process", Some(&ann), &body).await.unwrap();
    assert_eq!(accepted.status, 202, "{accepted}");
    assert_eq!(accepted.data()["order_id"], order_id.as_str());
    assert!(accepted.position() > 0);
    let confirmed = order_reaches(&app, &ann, &order_id, "confirmed").await;
    let again = app.post("/api/v1/payments/process", Some(&ann), &body).await.unwrap();
    assert_eq!((again.status, again.error_codes()), (409, vec!["order.invalid_transition".to_owned()]), "{again}");

    let payment = payment_reaches(&app, &ann, &order_id, "captured").await;
    assert_eq!(payment["status"], "captured", "{payment}");
    assert_eq!(payment["amount"], json!({ "amount": 5000, "currency": "USD" }));
    assert_eq!(payment["refunded_amount"], json!({ "amount": 0, "currency": "USD" }));
    assert_eq!(payment["method"]["last4"], "4242", "{payment}");
    assert_eq!(payment["attempts"].as_array().unwrap().len(), 2, "{payment}");
    assert_eq!(payment["order_id"], confirmed["id"]);
    let payment_id = payment["id"].as_str().unwrap().to_owned();
    assert_eq!(app.get(&format!("/api/v1/payments/{payment_id}"), Some(&bob)).await.unwrap().status, 404);
    assert_eq!(app.get(&format!("/api/v1/payments/order/{order_id}"), Some(&bob)).await.unwrap().status, 404);

    let customer_refund =
        app.post("/api/v1/payments/refund", Some(&ann), &json!({ "payment_id": payment_id })).await.unwrap();
    assert_eq!(customer_refund.status, 403, "{customer_refund}");
    let part = app
        .post("/api/v1/payments/refund", Some(&admin), &json!({ "payment_id": payment_id, "amount": 1000 }))
        .await
        .unwrap();
    assert_eq!(part.status, 200, "{part}");
    assert_eq!(part.data()["status"], "partially_refunded");
    assert_eq!(part.data()["refunded_amount"], json!({ "amount": 1000, "currency": "USD" }));
    assert_eq!(part.data()["position"], part.position());
    let too_much = app
        .post("/api/v1/payments/refund", Some(&admin), &json!({ "payment_id": payment_id, "amount": 4001 }))
        .await
        .unwrap();
    assert_eq!(
        (too_much.status, too_much.error_codes()),
        (409, vec!["payment.refund_exceeds_captured".to_owned()]),
        "{too_much}"
    );
    let rest = app.post("/api/v1/payments/refund", Some(&admin), &json!({ "payment_id": payment_id })).await.unwrap();
    assert_eq!(rest.status, 200, "{rest}");
    assert_eq!(
        (rest.data()["status"].as_str(), rest.data()["refund"]["amount"]["amount"].as_i64()),
        (Some("refunded"), Some(4000))
    );
    let nothing =
        app.post("/api/v1/payments/refund", Some(&admin), &json!({ "payment_id": payment_id })).await.unwrap();
    assert_eq!(nothing.status, 409, "{nothing}");

    let shown = app.get_after(&format!("/api/v1/payments/{payment_id}"), Some(&ann), rest.position()).await.unwrap();
    assert_eq!(shown.status, 200, "{shown}");
    assert_eq!(shown.data()["status"], "refunded");
    assert_eq!(shown.data()["refunded_amount"]["amount"], 5000);
    let steps: Vec<_> =
        shown.data()["history"].as_array().unwrap().iter().map(|s| s["status"].as_str().unwrap().to_owned()).collect();
    assert_eq!(steps, ["requested", "authorized", "captured", "partially_refunded", "refunded"], "{shown}");
    let order = app.get_after(&format!("/api/v1/orders/{order_id}"), Some(&ann), rest.position()).await.unwrap();
    assert_eq!(order.data()["status"], "refunded", "{order}");

    let log = event_log(&app).await;
    assert!(!log.contains("pm_card"), "a provider token reached the event log");
}

#[tokio::test]
async fn an_order_declined_for_insufficient_funds_is_paid_with_a_token_given_directly() {
    let app = TestApp::spawn().await.unwrap();
    let admin = app.admin_token().await.unwrap();
    let (_ann, ann) = app.customer("ann@example.com").await.unwrap();
    let product = json!({
        "name": "Mug", "description": "", "sku": "MUG-1",
        "price": { "amount": 900, "currency": "EUR" }, "images": [], "stock": 3,
    });
    let created = app.post("/api/v1/products", Some(&admin), &product).await.unwrap();
    assert_eq!(created.status, 201, "{created}");
    let order = json!({
        "shipping_address": { "name": "Ann", "line1": "1 Mug Lane", "line2": null, "city": "Lyon", "postal_code": "69001", "country": "FR" },
        "payment_method": "pm_card_chargeDeclinedInsufficientFunds",
        "lines": [{ "product_id": created.data()["id"], "quantity": 1 }],
    });
    let placed = app.post("/api/v1/orders", Some(&ann), &order).await.unwrap();
    assert_eq!(placed.status, 201, "{placed}");
    let order_id = placed.data()["id"].as_str().unwrap().to_owned();
    order_reaches(&app, &ann, &order_id, "awaiting_payment").await;

    let process = "/api/v1/payments/process";
    let unknown = app
        .post(process, Some(&ann), &json!({ "order_id": order_id, "payment_method": "pm_card_bogus" }))
        .await
        .unwrap();
    assert_eq!((unknown.status, unknown.error_fields()), (400, vec!["payment_method".to_owned()]), "{unknown}");
    assert_eq!(unknown.error_codes(), ["payment.invalid_method"]);
    let not_mine = uuid::Uuid::now_v7().to_string();
    let unsaved =
        app.post(process, Some(&ann), &json!({ "order_id": order_id, "payment_method": not_mine })).await.unwrap();
    assert_eq!(
        (unsaved.status, unsaved.error_codes()),
        (400, vec!["payment.method_not_found".to_owned()]),
        "{unsaved}"
    );

    let accepted = app
        .post(process, Some(&ann), &json!({ "order_id": order_id, "payment_method": "pm_card_mastercard" }))
        .await
        .unwrap();
    assert_eq!(accepted.status, 202, "{accepted}");
    assert_ne!(accepted.data()["payment_method"], "pm_card_mastercard", "the token is kept out of the order");
    order_reaches(&app, &ann, &order_id, "confirmed").await;
    let paid = payment_reaches(&app, &ann, &order_id, "captured").await;
    assert_eq!(paid["status"].as_str(), Some("captured"), "{paid}");
    let first = &paid["attempts"][0];
    assert!(first["failure_reason"].as_str().unwrap().contains("insufficient_funds"), "{paid}");
    assert!(!event_log(&app).await.contains("pm_card"), "a provider token reached the event log");
}
