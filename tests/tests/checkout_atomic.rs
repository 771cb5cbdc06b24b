//! Checkout from cart as one consistency boundary: the cart's checkout, its coupon's
//! redemption and the new order are one atomic append (consecutive positions in the
//! log, nothing between them), and concurrent checkouts of one cart place one order
//! and use the coupon once. Through the HTTP API; the log is read from the shop's
//! SQLite file while it runs.

use std::collections::HashMap;

use emporium_infra::event_store::EventStore;
use emporium_infra::event_store::sqlite::SqliteEventStore;
use emporium_tests::app::TestApp;
use emporium_tests::checkout;
use serde_json::{Value, json};

fn order_body() -> Value {
    json!({
        "shipping_address": { "name": "Ann Lee", "line1": "1 Main St", "line2": null, "city": "Berlin", "postal_code": "10115", "country": "DE" },
        "payment_method": "pm_card_visa",
    })
}

/// A product and the coupon `code` (for up to 100 orders); returns the product and coupon ids.
async fn product_and_coupon(app: &TestApp, code: &str) -> anyhow::Result<(String, String)> {
    let admin = app.admin_token().await?;
    let product = checkout::product(app, &admin, &format!("SKU-{code}"), 2_000, 100).await?;
    let coupon = json!({ "code": code, "kind": "percent", "value": 10, "max_uses": 100 });
    let created = app.post("/api/v1/coupons", Some(&admin), &coupon).await?;
    anyhow::ensure!(created.status == 201, "{created}");
    Ok((product, created.data()["id"].as_str().unwrap_or_default().to_owned()))
}

/// A customer with 2 of `product` and the coupon `code` in their cart; their token.
async fn cart_with_coupon(app: &TestApp, email: &str, product: &str, code: &str) -> anyhow::Result<String> {
    let (_, token) = app.customer(email).await?;
    let added = app.post("/api/v1/cart/items", Some(&token), &json!({ "product_id": product, "quantity": 2 })).await?;
    anyhow::ensure!(added.status == 201 || added.status == 200, "{added}");
    let applied = app.post("/api/v1/cart/apply-coupon", Some(&token), &json!({ "code": code })).await?;
    anyhow::ensure!(applied.status == 200, "{applied}");
    Ok(token)
}

/// The shop's log: (event type, stream, global position, data) of every event.
async fn log(app: &TestApp) -> anyhow::Result<Vec<(String, String, u64, Value)>> {
    let store = SqliteEventStore::open(&app.data_dir.path().join("events.db")).await?;
    let events = store.read_all(0, 100_000).await?;
    Ok(events.into_iter().map(|e| (e.event_type, e.stream_id, e.global_position, e.data)).collect())
}

#[tokio::test]
async fn each_checkout_writes_its_cart_coupon_and_order_as_one_append_among_concurrent_ones() -> anyhow::Result<()> {
    let app = TestApp::spawn_with(None, &["--auth-rate-limit", "0"]).await?;
    let (product, coupon_id) = product_and_coupon(&app, "ONCE10").await?;
    let mut tokens = Vec::new();
    for n in 0..6 {
        tokens.push(cart_with_coupon(&app, &format!("shopper-{n}@example.com"), &product, "ONCE10").await?);
    }
    // Six checkouts at once, each over its own cart and the one shared coupon: appended
    // one stream at a time they would interleave; as one append each they cannot.
    let body = order_body();
    let answers = futures::future::join_all(tokens.iter().map(|t| app.post("/api/v1/orders", Some(t), &body))).await;
    let log = log(&app).await?;
    for answer in answers {
        let placed = answer?;
        assert_eq!(placed.status, 201, "{placed}");
        let order_id = placed.data()["id"].as_str().unwrap_or_default().to_owned();
        let of_order = |kind: &str, stream_prefix: &str| {
            log.iter()
                .find(|(t, s, _, data)| t == kind && s.starts_with(stream_prefix) && data["order_id"] == order_id)
                .map(|(_, _, position, _)| *position)
        };
        let checked_out = of_order("CartCheckedOut", "cart-");
        let redeemed = of_order("CouponRedeemed", &format!("coupon-{coupon_id}"));
        let created = of_order("OrderCreated", &format!("order-{order_id}"));
        let (Some(checked_out), Some(redeemed), Some(created)) = (checked_out, redeemed, created) else {
            panic!("a checkout event of {order_id} is missing: {log:?}");
        };
        assert_eq!((redeemed, created), (checked_out + 1, checked_out + 2), "one append, nothing between");
        assert_eq!(placed.position(), created, "the answer's position is the order's event");
    }
    Ok(())
}

#[tokio::test]
async fn concurrent_checkouts_of_one_cart_place_one_order_and_use_the_coupon_once() -> anyhow::Result<()> {
    let app = TestApp::spawn_with(None, &["--rate-limit", "0"]).await?;
    let (product, coupon_id) = product_and_coupon(&app, "RACE10").await?;
    let token = cart_with_coupon(&app, "bob@example.com", &product, "RACE10").await?;
    let body = order_body();
    let answers = futures::future::join_all((0..8).map(|_| app.post("/api/v1/orders", Some(&token), &body))).await;
    let mut statuses: HashMap<u16, usize> = HashMap::new();
    for answer in &answers {
        let answer = answer.as_ref().map_err(|e| anyhow::anyhow!("{e}"))?;
        *statuses.entry(answer.status).or_default() += 1;
        if answer.status != 201 {
            let codes = answer.error_codes();
            assert!(codes == ["cart.empty"] || codes == ["command.contention"], "a losing checkout says why: {answer}");
        }
    }
    assert_eq!(statuses.get(&201), Some(&1), "exactly one checkout wins: {statuses:?}");
    let log = log(&app).await?;
    let count = |kind: &str| log.iter().filter(|(t, ..)| t == kind).count();
    assert_eq!((count("CartCheckedOut"), count("OrderCreated")), (1, 1), "{log:?}");
    let redeemed = log.iter().filter(|(t, s, ..)| t == "CouponRedeemed" && *s == format!("coupon-{coupon_id}")).count();
    assert_eq!(redeemed, 1, "the coupon was used once");
    assert_eq!(count("CouponRedemptionReleased"), 0, "nothing had to be given back");
    Ok(())
}
