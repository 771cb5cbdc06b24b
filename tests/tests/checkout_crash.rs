//! The process is killed (SIGKILL, no shutdown) in the middle of a checkout rush and
//! restarted on the same data dir, twice, then stopped gracefully (SIGTERM) mid-way and
//! restarted once more; every order must then end in exactly one
//! consistent state, with the stock, Emporium's payments, the provider's own journal
//! and the mail outbox agreeing, and the event log must still verify.
//!
//! The simulated provider answers slowly (`--simulated-latency-ms`) so that kills
//! land between reserving, authorising, capturing and confirming.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use emporium_tests::app::{TestApp, binary};
use emporium_tests::checkout::{
    ProviderBooks, cents, customers, mails_about, mails_settle, order_reaches, payment, payment_reaches, place,
    product, stock_settles,
};
use emporium_tests::postgres::TestDatabase;

const SCARCE_UNITS: i64 = 12;
const PRICE: i64 = 1500;

const FLAGS: &[&str] = &["--simulated-latency-ms", "40", "--payment-deadline-secs", "3"];

#[tokio::test]
async fn every_order_ends_in_one_consistent_state_after_kills_mid_checkout_on_sqlite() {
    let app = TestApp::spawn_with(None, FLAGS).await.unwrap();
    kill_mid_checkout(app).await;
}

#[tokio::test]
async fn every_order_ends_in_one_consistent_state_after_kills_mid_checkout_on_postgres() {
    let database = TestDatabase::create().await.unwrap();
    let app = TestApp::spawn_with(Some(database), FLAGS).await.unwrap();
    kill_mid_checkout(app).await;
}

async fn kill_mid_checkout(mut app: TestApp) {
    let admin = app.admin_token().await.unwrap();
    let scarce = product(&app, &admin, "CRASH-SCARCE", PRICE, SCARCE_UNITS).await.unwrap();
    let shoppers = customers(&app, "crash", 10).await.unwrap();

    // 40 checkouts at once: every fourth pays with a card that declines (and never
    // retries, so its deadline cancels it); the rest compete for 12 units.
    let methods = ["pm_card_visa", "pm_card_mastercard", "pm_card_visa", "pm_card_chargeDeclined"];
    let attempts = shoppers.iter().flat_map(|token| methods.iter().map(move |method| (token, *method)));
    let (shop, item) = (&app, scarce.as_str());
    let answers = futures::future::join_all(
        attempts.map(|(token, method)| async move { (token.clone(), place(shop, token, item, 1, method).await) }),
    )
    .await;
    let mut orders = Vec::new();
    for (token, answer) in answers {
        let answer = answer.unwrap();
        assert_eq!(answer.status, 201, "{answer}");
        orders.push((answer.data()["id"].as_str().unwrap().to_owned(), token));
    }

    // First kill: as soon as any order is confirmed, with most still in flight.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let in_flight = loop {
        let mut statuses = Vec::new();
        for (order_id, token) in &orders {
            // A 404 is an order the projections have not caught up with yet.
            let seen = app.get(&format!("/api/v1/orders/{order_id}"), Some(token)).await.unwrap();
            statuses.push(if seen.status == 200 {
                seen.data()["status"].as_str().unwrap_or("").to_owned()
            } else {
                "unseen".to_owned()
            });
        }
        if statuses.iter().any(|status| status == "confirmed") {
            break statuses.iter().filter(|s| !matches!(s.as_str(), "confirmed" | "cancelled")).count();
        }
        assert!(tokio::time::Instant::now() < deadline, "no order was confirmed within 30 s");
    };
    eprintln!("killing with {in_flight} of {} orders in flight", orders.len());
    assert!(in_flight > 0, "the kill must land mid-checkout");
    app.kill().unwrap();
    app.restart().await.unwrap();
    // Second kill: shortly after the restart, while the saga catches up.
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.kill().unwrap();
    app.restart().await.unwrap();
    // Then a graceful stop (SIGTERM) in the middle of the catching up: the work in hand
    // finishes, nothing new starts, and the process exits cleanly and soon.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let code = app.terminate(Duration::from_secs(20)).unwrap();
    assert_eq!(code, Some(0), "a graceful stop exits 0");
    app.restart().await.unwrap();

    let mut confirmed = Vec::new();
    let mut cancelled = Vec::new();
    for (order_id, token) in &orders {
        let settled =
            order_reaches(&app, token, order_id, &["confirmed", "cancelled"], Duration::from_secs(60)).await.unwrap();
        let paid = if settled["status"] == "confirmed" {
            Some(payment_reaches(&app, token, order_id, "captured", Duration::from_secs(10)).await.unwrap())
        } else {
            payment(&app, token, order_id).await.unwrap()
        };
        let (captured, refunded) =
            paid.as_ref().map(|p| (cents(&p["captured_amount"]), cents(&p["refunded_amount"]))).unwrap_or_default();
        if settled["status"] == "confirmed" {
            assert_eq!(cents(&settled["total"]), PRICE, "{settled}");
            assert_eq!((captured, refunded), (PRICE, 0), "a confirmed order is paid once: {paid:?}");
            confirmed.push(order_id.clone());
        } else {
            assert_eq!(captured, refunded, "a cancelled order keeps no money: {paid:?}");
            // Out of stock, or a declining card whose deadline passed: nothing else.
            let reason = settled["cancellation_reason"].as_str().unwrap_or_default();
            assert!(
                reason.starts_with("insufficient stock") || reason.contains("generic_decline"),
                "cancelled for an unexpected reason: {settled}"
            );
            cancelled.push(order_id.clone());
        }
    }
    eprintln!("after two kills and a stop: {} confirmed, {} cancelled", confirmed.len(), cancelled.len());
    assert!(!confirmed.is_empty() && confirmed.len() as i64 <= SCARCE_UNITS, "{confirmed:?}");
    assert_eq!(confirmed.len() + cancelled.len(), orders.len());

    let sold = confirmed.len() as i64;
    assert_eq!(
        stock_settles(&app, &scarce, SCARCE_UNITS - sold, Duration::from_secs(20)).await.unwrap(),
        SCARCE_UNITS - sold
    );
    let books = ProviderBooks::read(&app).unwrap();
    assert_eq!(
        (books.charged(), books.kept()),
        (confirmed.len(), sold * PRICE),
        "the provider kept money for exactly the confirmed orders: {books:?}"
    );
    let mail_wait = Duration::from_secs(20);
    for order_id in &confirmed {
        assert_eq!(mails_settle(&app, order_id, "Order confirmed", 1, mail_wait).await.unwrap(), 1, "{order_id}");
        assert_eq!(mails_about(&app, order_id, "Your order was cancelled").unwrap(), 0, "{order_id}");
    }
    for order_id in &cancelled {
        assert_eq!(
            mails_settle(&app, order_id, "Your order was cancelled", 1, mail_wait).await.unwrap(),
            1,
            "{order_id}"
        );
        assert_eq!(mails_about(&app, order_id, "Order confirmed").unwrap(), 0, "{order_id}");
    }

    let audit = std::process::Command::new(binary().unwrap())
        .args(["audit", "verify", "--data-dir"])
        .arg(app.data_dir.path())
        .args(app.store_flags())
        .output()
        .unwrap();
    assert!(audit.status.success(), "audit verify failed: {}", String::from_utf8_lossy(&audit.stderr));
}
