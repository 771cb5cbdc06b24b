//! Checkout journeys end to end against the real `emporium serve` (simulated Stripe
//! test mode): success, decline then retry, decline then deadline, out of stock,
//! cancel after payment, and 200 concurrent checkouts of 20 units. Each journey
//! checks that the order, the stock, Emporium's payment view, the provider's own
//! journal and the mail outbox agree.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use emporium_tests::app::TestApp;
use emporium_tests::checkout::{
    ProviderBooks, cents, customers, history, mails_about, mails_settle, order_reaches, payment_reaches, place, placed,
    product, stock_settles,
};
use serde_json::json;

const SETTLE: Duration = Duration::from_secs(20);
const MAIL: Duration = Duration::from_secs(10);

#[tokio::test]
async fn a_paid_order_is_confirmed_charged_once_mailed_once_and_its_stock_sold() {
    let app = TestApp::spawn().await.unwrap();
    let admin = app.admin_token().await.unwrap();
    let teapot = product(&app, &admin, "J-OK", 2500, 5).await.unwrap();
    let ann = customers(&app, "ok", 1).await.unwrap().remove(0);

    let order_id = placed(&app, &ann, &teapot, 2, "pm_card_visa").await.unwrap();
    let order = order_reaches(&app, &ann, &order_id, &["confirmed", "cancelled"], SETTLE).await.unwrap();
    assert_eq!(order["status"], "confirmed", "{order}");
    assert_eq!(history(&order), ["pending", "paid", "confirmed"], "{order}");
    assert_eq!(stock_settles(&app, &teapot, 3, SETTLE).await.unwrap(), 3);

    let paid = payment_reaches(&app, &ann, &order_id, "captured", SETTLE).await.unwrap();
    assert_eq!((paid["status"].as_str(), cents(&paid["amount"])), (Some("captured"), 5000), "{paid}");
    let books = ProviderBooks::read(&app).unwrap();
    assert_eq!((books.charged(), books.kept()), (1, 5000), "{books:?}");

    assert_eq!(mails_settle(&app, &order_id, "Order confirmed", 1, MAIL).await.unwrap(), 1);
    assert_eq!(mails_settle(&app, &order_id, "Payment received", 1, MAIL).await.unwrap(), 1);
    assert_eq!(mails_about(&app, &order_id, "Your order was cancelled").unwrap(), 0);
}

#[tokio::test]
async fn a_declined_order_releases_its_stock_waits_and_is_confirmed_when_paid_with_another_card() {
    let app = TestApp::spawn().await.unwrap();
    let admin = app.admin_token().await.unwrap();
    let teapot = product(&app, &admin, "J-RETRY", 2500, 5).await.unwrap();
    let ann = customers(&app, "retry", 1).await.unwrap().remove(0);

    let order_id = placed(&app, &ann, &teapot, 2, "pm_card_chargeDeclined").await.unwrap();
    let waiting = order_reaches(&app, &ann, &order_id, &["awaiting_payment"], SETTLE).await.unwrap();
    assert_eq!(waiting["status"], "awaiting_payment");
    assert_eq!(stock_settles(&app, &teapot, 5, SETTLE).await.unwrap(), 5, "a declined order holds no stock");
    let declined = payment_reaches(&app, &ann, &order_id, "failed", SETTLE).await.unwrap();
    assert_eq!(declined["status"], "failed", "{declined}");
    assert_eq!(ProviderBooks::read(&app).unwrap().kept(), 0);

    let retry = json!({ "order_id": order_id, "payment_method": "pm_card_mastercard" });
    let accepted = app.post("/api/v1/payments/process", Some(&ann), &retry).await.unwrap();
    assert_eq!(accepted.status, 202, "{accepted}");
    let order = order_reaches(&app, &ann, &order_id, &["confirmed", "cancelled"], SETTLE).await.unwrap();
    assert_eq!(order["status"], "confirmed", "{order}");
    assert_eq!(stock_settles(&app, &teapot, 3, SETTLE).await.unwrap(), 3, "the retry reserved again");
    let paid = payment_reaches(&app, &ann, &order_id, "captured", SETTLE).await.unwrap();
    assert_eq!((paid["status"].as_str(), cents(&paid["amount"])), (Some("captured"), 5000), "{paid}");
    assert_eq!(paid["attempts"].as_array().map(Vec::len), Some(2), "the declined attempt is kept: {paid}");
    let books = ProviderBooks::read(&app).unwrap();
    assert_eq!((books.charged(), books.kept()), (1, 5000), "{books:?}");
    assert_eq!(mails_settle(&app, &order_id, "Order confirmed", 1, MAIL).await.unwrap(), 1);
}

#[tokio::test]
async fn a_declined_order_not_paid_before_the_deadline_is_cancelled_and_keeps_no_stock() {
    let app = TestApp::spawn_with(None, &["--payment-deadline-secs", "2"]).await.unwrap();
    let admin = app.admin_token().await.unwrap();
    let teapot = product(&app, &admin, "J-DEADLINE", 2500, 5).await.unwrap();
    let ann = customers(&app, "deadline", 1).await.unwrap().remove(0);

    let order_id = placed(&app, &ann, &teapot, 1, "pm_card_chargeDeclinedInsufficientFunds").await.unwrap();
    order_reaches(&app, &ann, &order_id, &["awaiting_payment"], SETTLE).await.unwrap();
    let order = order_reaches(&app, &ann, &order_id, &["cancelled"], SETTLE).await.unwrap();
    let reason = order["cancellation_reason"].as_str().unwrap_or_default().to_owned();
    assert!(reason.contains("deadline") || reason.contains("payment"), "{order}");
    assert_eq!(stock_settles(&app, &teapot, 5, SETTLE).await.unwrap(), 5);
    let declined = payment_reaches(&app, &ann, &order_id, "failed", SETTLE).await.unwrap();
    assert!(declined["failure_reason"].as_str().unwrap_or_default().contains("insufficient_funds"), "{declined}");
    assert_eq!(ProviderBooks::read(&app).unwrap().kept(), 0);
    assert_eq!(mails_settle(&app, &order_id, "Your order was cancelled", 1, MAIL).await.unwrap(), 1);
    assert_eq!(mails_about(&app, &order_id, "Order confirmed").unwrap(), 0);

    let late = json!({ "order_id": order_id, "payment_method": "pm_card_visa" });
    let refused = app.post("/api/v1/payments/process", Some(&ann), &late).await.unwrap();
    assert_eq!(refused.status, 409, "a cancelled order cannot be paid: {refused}");
}

#[tokio::test]
async fn an_order_for_more_than_is_in_stock_is_cancelled_without_a_charge() {
    let app = TestApp::spawn().await.unwrap();
    let admin = app.admin_token().await.unwrap();
    let scarce = product(&app, &admin, "J-SCARCE", 2500, 2).await.unwrap();
    let plenty = product(&app, &admin, "J-PLENTY", 1000, 10).await.unwrap();
    let ann = customers(&app, "oos", 1).await.unwrap().remove(0);

    // Two lines: the second cannot be reserved, so the first is released again.
    let body = json!({
        "shipping_address": { "name": "Ann", "line1": "1 Main St", "line2": null, "city": "Berlin", "postal_code": "10115", "country": "DE" },
        "payment_method": "pm_card_visa",
        "lines": [{ "product_id": plenty, "quantity": 4 }, { "product_id": scarce, "quantity": 3 }],
    });
    let response = app.post("/api/v1/orders", Some(&ann), &body).await.unwrap();
    assert_eq!(response.status, 201, "{response}");
    let order_id = response.data()["id"].as_str().unwrap().to_owned();
    let order = order_reaches(&app, &ann, &order_id, &["cancelled", "confirmed"], SETTLE).await.unwrap();
    assert_eq!(order["status"], "cancelled", "{order}");
    assert!(order["cancellation_reason"].as_str().unwrap_or_default().contains("stock"), "{order}");
    assert_eq!(stock_settles(&app, &scarce, 2, SETTLE).await.unwrap(), 2);
    assert_eq!(stock_settles(&app, &plenty, 10, SETTLE).await.unwrap(), 10, "the reserved line was released");
    assert_eq!(ProviderBooks::read(&app).unwrap().intents.len(), 0, "nothing was even authorised");
    assert_eq!(mails_settle(&app, &order_id, "Your order was cancelled", 1, MAIL).await.unwrap(), 1);
}

#[tokio::test]
async fn cancelling_a_paid_order_refunds_it_in_full_and_returns_the_stock() {
    let app = TestApp::spawn().await.unwrap();
    let admin = app.admin_token().await.unwrap();
    let teapot = product(&app, &admin, "J-CANCEL", 2500, 5).await.unwrap();
    let ann = customers(&app, "cancel", 1).await.unwrap().remove(0);

    let order_id = placed(&app, &ann, &teapot, 2, "pm_card_visa").await.unwrap();
    order_reaches(&app, &ann, &order_id, &["confirmed"], SETTLE).await.unwrap();
    assert_eq!(stock_settles(&app, &teapot, 3, SETTLE).await.unwrap(), 3);
    let cancelled = app
        .post(&format!("/api/v1/orders/{order_id}/cancel"), Some(&ann), &json!({ "reason": "changed my mind" }))
        .await
        .unwrap();
    assert_eq!(cancelled.status, 200, "{cancelled}");

    let order = order_reaches(&app, &ann, &order_id, &["refunded"], SETTLE).await.unwrap();
    assert_eq!(order["cancellation_reason"], "changed my mind", "{order}");
    let refunded = payment_reaches(&app, &ann, &order_id, "refunded", SETTLE).await.unwrap();
    assert_eq!(refunded["status"], "refunded", "{refunded}");
    assert_eq!(cents(&refunded["refunded_amount"]), 5000, "{refunded}");
    let books = ProviderBooks::read(&app).unwrap();
    assert_eq!((books.charged(), books.kept()), (0, 0), "the provider refunded it all: {books:?}");
    assert_eq!(stock_settles(&app, &teapot, 5, SETTLE).await.unwrap(), 5, "sold units came back");
    assert_eq!(mails_settle(&app, &order_id, "Refund of", 1, MAIL).await.unwrap(), 1);
    assert_eq!(mails_settle(&app, &order_id, "Your order was cancelled", 1, MAIL).await.unwrap(), 1);
}

#[tokio::test]
async fn two_hundred_concurrent_checkouts_of_twenty_units_confirm_exactly_twenty() {
    const UNITS: i64 = 20;
    const CUSTOMERS: usize = 50;
    const ORDERS_EACH: usize = 4;
    // Fifty sign-ins from one address in a second: over the default quota of the auth endpoints.
    let app = TestApp::spawn_with(None, &["--auth-rate-limit", "0"]).await.unwrap();
    let admin = app.admin_token().await.unwrap();
    let scarce = product(&app, &admin, "J-RUSH", 1500, UNITS).await.unwrap();
    let shoppers = customers(&app, "rush", CUSTOMERS).await.unwrap();

    // Every checkout is sent at once: 50 shoppers, 4 tabs each.
    let checkouts = shoppers.iter().flat_map(|token| (0..ORDERS_EACH).map(move |_| token));
    let answers =
        futures::future::join_all(checkouts.map(|token| place(&app, token, &scarce, 1, "pm_card_visa"))).await;
    let mut orders = Vec::new();
    for (answer, token) in answers.into_iter().zip(shoppers.iter().flat_map(|t| std::iter::repeat_n(t, ORDERS_EACH))) {
        let answer = answer.unwrap();
        assert_eq!(answer.status, 201, "{answer}");
        orders.push((answer.data()["id"].as_str().unwrap().to_owned(), token.clone()));
    }
    assert_eq!(orders.len(), 200);

    let mut confirmed = Vec::new();
    let mut cancelled = 0;
    for (order_id, token) in &orders {
        let order = order_reaches(&app, token, order_id, &["confirmed", "cancelled"], SETTLE * 3).await.unwrap();
        if order["status"] == "confirmed" {
            confirmed.push(order_id.clone());
        } else {
            assert!(order["cancellation_reason"].as_str().unwrap_or_default().contains("stock"), "{order}");
            cancelled += 1;
        }
    }
    assert_eq!((confirmed.len(), cancelled), (20, 180));
    assert_eq!(stock_settles(&app, &scarce, 0, SETTLE).await.unwrap(), 0);
    let books = ProviderBooks::read(&app).unwrap();
    assert_eq!((books.charged(), books.kept()), (20, 20 * 1500), "{books:?}");
    for order_id in &confirmed {
        assert_eq!(mails_settle(&app, order_id, "Order confirmed", 1, MAIL).await.unwrap(), 1, "{order_id}");
    }
}
