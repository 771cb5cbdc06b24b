//! Orders over HTTP, end to end through the real `emporium serve`: a customer turns
//! their cart (with a coupon) into an order and finds it by id and in their
//! history; nobody else sees it; staff ship and deliver confirmed orders; the cancel
//! rules hold; the invoice comes as JSON and as an escaped HTML page; the live feed
//! streams status changes; bad input is a 4xx in the envelope and changes nothing.
//!
//! Confirmation is the fulfilment saga's work: the tests that need a confirmed order
//! wait for it on the order's live feed and, when no saga confirms it, check what
//! they can and say so on stderr.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use emporium_tests::app::{ApiResponse, TestApp};
use reqwest::Method;
use serde_json::{Value, json};
use sqlx::Connection;

/// How long a test waits for the saga to confirm an order.
const CONFIRMATION: Duration = Duration::from_secs(15);

async fn product(app: &TestApp, admin: &str, name: &str, sku: &str, amount: i64, stock: i64) -> String {
    let body = json!({
        "name": name, "description": "", "sku": sku,
        "price": { "amount": amount, "currency": "USD" }, "images": [], "stock": stock,
    });
    let created = app.post("/api/v1/products", Some(admin), &body).await.unwrap();
    assert_eq!(created.status, 201, "{created}");
    created.data()["id"].as_str().unwrap().to_owned()
}

async fn add(app: &TestApp, token: &str, product_id: &str, quantity: i64) -> ApiResponse {
    let added = app
        .post("/api/v1/cart/items", Some(token), &json!({ "product_id": product_id, "quantity": quantity }))
        .await
        .unwrap();
    assert!(added.status == 201 || added.status == 200, "{added}");
    added
}

fn address() -> Value {
    json!({ "name": "Ann Lee", "line1": "1 Main St", "line2": "Flat 2", "city": "Berlin", "postal_code": "10115", "country": "DE" })
}

async fn place(app: &TestApp, token: &str, body: &Value) -> ApiResponse {
    app.post("/api/v1/orders", Some(token), body).await.unwrap()
}

/// A customer with one product in the cart places an order; returns (customer, token, order id, position).
async fn ordered(
    app: &TestApp,
    admin: &str,
    email: &str,
    sku: &str,
    payment_method: &str,
) -> (String, String, String, u64) {
    let tee = product(app, admin, "Tee", sku, 2500, 50).await;
    let (customer, token) = app.customer(email).await.unwrap();
    add(app, &token, &tee, 2).await;
    let placed = place(app, &token, &json!({ "shipping_address": address(), "payment_method": payment_method })).await;
    assert_eq!(placed.status, 201, "{placed}");
    let id = placed.data()["id"].as_str().unwrap().to_owned();
    (customer, token, id, placed.position())
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

/// A Server-Sent Events connection, read frame by frame.
struct EventStream {
    response: reqwest::Response,
    buffer: String,
}

impl EventStream {
    async fn open(app: &TestApp, token: &str, order: &str) -> (u16, Option<Self>) {
        let response = reqwest::Client::new()
            .get(format!("{}/api/v1/orders/{order}/events", app.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        if status != 200 {
            return (status, None);
        }
        let content_type =
            response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        assert!(content_type.starts_with("text/event-stream"), "{content_type}");
        (status, Some(Self { response, buffer: String::new() }))
    }

    /// The next `(event, data)`, skipping keep-alive comments; `None` when the
    /// stream ends or nothing comes within `wait`.
    async fn next(&mut self, wait: Duration) -> Option<(String, Value)> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let frame: String = self.buffer.drain(..end + 2).collect();
                let field = |name: &str| frame.lines().find_map(|l| l.strip_prefix(name)).map(|v| v.trim().to_owned());
                if let (Some(event), Some(data)) = (field("event:"), field("data:")) {
                    return Some((event, serde_json::from_str(&data).unwrap()));
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk()).await.ok()?.unwrap()?;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// Reads until the order reaches `status`; false if it does not within `wait`.
    async fn until(&mut self, status: &str, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next(left).await {
                Some((event, data)) if event == "status" && data["status"] == status => return true,
                Some(_) => {}
                None => return false,
            }
        }
    }
}

/// Waits (on the live feed) until the order is confirmed; false when no saga confirms it.
async fn confirmed(app: &TestApp, token: &str, order: &str) -> bool {
    let (status, stream) = EventStream::open(app, token, order).await;
    assert_eq!(status, 200);
    let reached = stream.unwrap().until("confirmed", CONFIRMATION).await;
    if !reached {
        eprintln!(
            "order {order} was not confirmed within {CONFIRMATION:?}: no fulfilment saga yet? skipping what needs it"
        );
    }
    reached
}

#[tokio::test]
async fn a_customer_orders_the_cart_with_a_coupon_and_finds_the_order_by_id_and_in_the_history() {
    let app = TestApp::spawn().await.unwrap();
    let admin = app.admin_token().await.unwrap();
    let tee = product(&app, &admin, "Tee", "ORD-TEE", 2500, 10).await;
    let mug = product(&app, &admin, "Mug", "ORD-MUG", 1000, 10).await;
    let coupon = json!({ "code": "SAVE10", "kind": "percent", "value": 10 });
    assert_eq!(app.post("/api/v1/coupons", Some(&admin), &coupon).await.unwrap().status, 201);
    let (ann, token) = app.customer("ann@example.com").await.unwrap();

    let line = add(&app, &token, &tee, 1).await.data()["item_id"].as_str().unwrap().to_owned();
    add(&app, &token, &mug, 1).await;
    let changed =
        app.put(&format!("/api/v1/cart/items/{line}"), Some(&token), &json!({ "quantity": 2 })).await.unwrap();
    assert_eq!(changed.status, 200, "{changed}");
    let applied = app.post("/api/v1/cart/apply-coupon", Some(&token), &json!({ "code": "save10" })).await.unwrap();
    assert_eq!(applied.status, 200, "{applied}");

    let placed = place(&app, &token, &json!({ "shipping_address": address(), "payment_method": "pm_card_visa" })).await;
    assert_eq!(placed.status, 201, "{placed}");
    assert!(placed.is_envelope());
    let id = placed.data()["id"].as_str().unwrap().to_owned();
    assert_eq!(placed.header("location"), Some(format!("/api/v1/orders/{id}").as_str()));
    assert_eq!(placed.data()["status"], "pending");
    assert!(placed.position() > 0 && placed.data()["position"] == placed.position());
    assert_eq!(placed.data()["total"], json!({ "amount": 5400, "currency": "USD" }));

    let shown = app.get_after(&format!("/api/v1/orders/{id}"), Some(&token), placed.position()).await.unwrap();
    assert_eq!(shown.status, 200, "{shown}");
    let o = shown.data();
    assert_eq!((o["id"].as_str(), o["customer_id"].as_str()), (Some(id.as_str()), Some(ann.as_str())));
    assert_eq!(o["status_history"][0]["status"], "pending");
    assert!(o["status_history"][0]["at"].is_string());
    assert_eq!(o["lines"].as_array().unwrap().len(), 2);
    let tee_line = o["lines"].as_array().unwrap().iter().find(|l| l["product_id"] == tee.as_str()).unwrap();
    assert_eq!((tee_line["quantity"].clone(), tee_line["line_total"]["amount"].clone()), (json!(2), json!(5000)));
    assert_eq!(
        (o["subtotal"]["amount"].clone(), o["discount"]["amount"].clone(), o["total"]["amount"].clone()),
        (json!(6000), json!(600), json!(5400))
    );
    assert_eq!(o["coupon_code"], "SAVE10");
    assert_eq!(o["shipping_address"], address());
    assert_eq!(o["cancellation_reason"], Value::Null);
    assert!(o["created_at"].is_string());

    let cart = app.get_after(&format!("/api/v1/cart/{ann}"), Some(&token), placed.position()).await.unwrap();
    assert_eq!(cart.data()["items"], json!([]), "checkout empties the cart");

    let second = product(&app, &admin, "Cap", "ORD-CAP", 1500, 10).await;
    add(&app, &token, &second, 1).await;
    let newer = place(&app, &token, &json!({ "shipping_address": address(), "payment_method": "pm_card_visa" })).await;
    assert_eq!(newer.status, 201, "{newer}");
    let newer_id = newer.data()["id"].as_str().unwrap();
    let history = app.get_after(&format!("/api/v1/orders/user/{ann}"), Some(&token), newer.position()).await.unwrap();
    assert_eq!(history.status, 200, "{history}");
    assert_eq!(history.data()["total"], 2);
    let ids: Vec<_> =
        history.data()["items"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ids, [newer_id, id.as_str()], "newest first");
    let paged = app.get(&format!("/api/v1/orders/user/{ann}?page=2&page_size=1"), Some(&token)).await.unwrap();
    assert_eq!((paged.data()["items"][0]["id"].as_str(), paged.data()["page"].clone()), (Some(id.as_str()), json!(2)));

    let log = event_log(&app).await;
    assert!(!log.contains("pm_card_visa"), "a provider token never enters the event log");
}

#[tokio::test]
async fn another_customer_gets_404_for_everything_about_an_order_and_staff_see_it() {
    let app = TestApp::spawn().await.unwrap();
    let admin = app.admin_token().await.unwrap();
    let (ann, _token, id, position) = ordered(&app, &admin, "ann@example.com", "PRIV-TEE", "pm_card_visa").await;
    let (_bob, bob) = app.customer("bob@example.com").await.unwrap();

    for path in
        [format!("/api/v1/orders/{id}"), format!("/api/v1/orders/{id}/invoice"), format!("/api/v1/orders/user/{ann}")]
    {
        let answer = app.get_after(&path, Some(&bob), position).await.unwrap();
        assert_eq!((answer.status, answer.is_envelope()), (404, true), "{path}: {answer}");
    }
    let cancel =
        app.post(&format!("/api/v1/orders/{id}/cancel"), Some(&bob), &json!({ "reason": "mine now" })).await.unwrap();
    assert_eq!(cancel.status, 404, "{cancel}");
    let (status, _) = EventStream::open(&app, &bob, &id).await;
    assert_eq!(status, 404);
    assert_eq!(app.get(&format!("/api/v1/orders/{id}"), None).await.unwrap().status, 401);
    let bob_history = app.get(&format!("/api/v1/orders/user/{_bob}"), Some(&bob)).await.unwrap();
    assert_eq!((bob_history.status, bob_history.data()["total"].clone()), (200, json!(0)));

    let staff = app.get_after(&format!("/api/v1/orders/{id}"), Some(&admin), position).await.unwrap();
    assert_eq!((staff.status, staff.data()["status_history"][0]["status"].clone()), (200, json!("pending")), "{staff}");
    let staff_history = app.get(&format!("/api/v1/orders/user/{ann}"), Some(&admin)).await.unwrap();
    assert_eq!(staff_history.data()["total"], 1);
}

#[tokio::test]
async fn explicit_lines_are_ordered_at_todays_prices_and_leave_the_cart_alone() {
    let app = TestApp::spawn().await.unwrap();
    let admin = app.admin_token().await.unwrap();
    let tee = product(&app, &admin, "Tee", "LINES-TEE", 2500, 10).await;
    let mug = product(&app, &admin, "Mug", "LINES-MUG", 1000, 10).await;
    let (ann, token) = app.customer("ann@example.com").await.unwrap();
    let in_cart = add(&app, &token, &mug, 1).await;

    let body = json!({ "shipping_address": address(), "payment_method": "pm_card_visa", "lines": [{ "product_id": tee, "quantity": 3 }] });
    let placed = place(&app, &token, &body).await;
    assert_eq!(placed.status, 201, "{placed}");
    assert_eq!(placed.data()["total"]["amount"], 7500);
    let shown = app
        .get_after(
            &format!("/api/v1/orders/{}", placed.data()["id"].as_str().unwrap()),
            Some(&token),
            placed.position(),
        )
        .await
        .unwrap();
    assert_eq!(shown.data()["lines"][0]["name"], "Tee");
    let cart = app.get_after(&format!("/api/v1/cart/{ann}"), Some(&token), in_cart.position()).await.unwrap();
    assert_eq!(cart.data()["items"].as_array().unwrap().len(), 1, "the cart is untouched");

    let unknown = json!({ "shipping_address": address(), "payment_method": "pm_card_visa", "lines": [{ "product_id": uuid::Uuid::now_v7().to_string(), "quantity": 1 }] });
    assert_eq!(place(&app, &token, &unknown).await.status, 404);
}

#[tokio::test]
async fn an_empty_cart_cannot_be_ordered_and_payment_methods_must_be_real_and_ones_own() {
    let app = TestApp::spawn().await.unwrap();
    let admin = app.admin_token().await.unwrap();
    let tee = product(&app, &admin, "Tee", "PAY-TEE", 2500, 10).await;
    let (ann, token) = app.customer("ann@example.com").await.unwrap();
    let (_bob, bob) = app.customer("bob@example.com").await.unwrap();

    let empty = place(&app, &token, &json!({ "shipping_address": address(), "payment_method": "pm_card_visa" })).await;
    assert_eq!((empty.status, empty.error_codes()), (400, vec!["cart.empty".to_owned()]), "{empty}");

    let added = add(&app, &token, &tee, 1).await;
    let bobs_method =
        app.post("/api/v1/payments/methods", Some(&bob), &json!({ "token": "pm_card_mastercard" })).await.unwrap();
    let mut refused = vec![
        "4242 4242 4242 4242".to_owned(),
        uuid::Uuid::now_v7().to_string(),
        "pm_not_a_card".to_owned(),
        "".to_owned(),
    ];
    if bobs_method.status == 201 || bobs_method.status == 200 {
        refused.push(bobs_method.data()["id"].as_str().unwrap().to_owned());
    }
    for method in refused {
        let answer = place(&app, &token, &json!({ "shipping_address": address(), "payment_method": method })).await;
        assert_eq!(
            (answer.status, answer.error_fields()),
            (400, vec!["payment_method".to_owned()]),
            "{method:?}: {answer}"
        );
    }
    let cart = app.get_after(&format!("/api/v1/cart/{ann}"), Some(&token), added.position()).await.unwrap();
    assert_eq!(cart.data()["items"].as_array().unwrap().len(), 1, "refused orders leave the cart as it was");

    let saved = app.post("/api/v1/payments/methods", Some(&token), &json!({ "token": "pm_card_visa" })).await.unwrap();
    if saved.status == 201 || saved.status == 200 {
        let method = saved.data()["id"].as_str().unwrap();
        let placed = place(&app, &token, &json!({ "shipping_address": address(), "payment_method": method })).await;
        assert_eq!(placed.status, 201, "one's own saved method pays: {placed}");
    } else {
        eprintln!("saving payment methods is not available yet ({saved}); skipped ordering with a saved method");
    }
}

#[tokio::test]
async fn staff_ship_and_deliver_a_confirmed_order_and_illegal_moves_are_refused() {
    let app = TestApp::spawn().await.unwrap();
    let admin = app.admin_token().await.unwrap();
    let (_ann, token, id, _) = ordered(&app, &admin, "ann@example.com", "SHIP-TEE", "pm_card_visa").await;
    let status = format!("/api/v1/orders/{id}/status");

    let by_customer = app
        .put(&status, Some(&token), &json!({ "status": "shipped", "carrier": "DHL", "tracking_number": "1" }))
        .await
        .unwrap();
    assert_eq!(by_customer.status, 403, "{by_customer}");
    for (body, field) in [
        (json!({ "status": "shipped" }), "carrier"),
        (json!({ "status": "shipped", "carrier": "DHL", "tracking_number": " " }), "tracking_number"),
        (json!({ "status": "paid" }), "status"),
        (json!({ "status": "teleported" }), "status"),
    ] {
        let answer = app.put(&status, Some(&admin), &body).await.unwrap();
        assert_eq!(answer.status, 400, "{body}: {answer}");
        assert!(answer.error_fields().contains(&field.to_owned()), "{body}: {answer}");
    }
    let unknown = app
        .put(
            &format!("/api/v1/orders/{}/status", uuid::Uuid::now_v7()),
            Some(&admin),
            &json!({ "status": "delivered" }),
        )
        .await
        .unwrap();
    assert_eq!(unknown.status, 404, "{unknown}");

    if !confirmed(&app, &token, &id).await {
        let early = app.put(&status, Some(&admin), &json!({ "status": "delivered" })).await.unwrap();
        assert_eq!((early.status, early.error_codes()), (409, vec!["order.invalid_transition".to_owned()]), "{early}");
        return;
    }
    let early_delivery = app.put(&status, Some(&admin), &json!({ "status": "delivered" })).await.unwrap();
    assert_eq!(
        (early_delivery.status, early_delivery.error_codes()),
        (409, vec!["order.invalid_transition".to_owned()])
    );
    let shipped = app
        .put(
            &status,
            Some(&admin),
            &json!({ "status": "shipped", "carrier": "DHL", "tracking_number": "JD014600006281" }),
        )
        .await
        .unwrap();
    assert_eq!((shipped.status, shipped.data()["status"].clone()), (200, json!("shipped")), "{shipped}");
    let cancel =
        app.post(&format!("/api/v1/orders/{id}/cancel"), Some(&token), &json!({ "reason": "too slow" })).await.unwrap();
    assert_eq!(
        (cancel.status, cancel.error_codes()),
        (409, vec!["order.invalid_transition".to_owned()]),
        "a shipped order cannot be cancelled"
    );
    let delivered = app.put(&status, Some(&admin), &json!({ "status": "delivered" })).await.unwrap();
    assert_eq!(delivered.status, 200, "{delivered}");

    let shown = app.get_after(&format!("/api/v1/orders/{id}"), Some(&token), delivered.position()).await.unwrap();
    let o = shown.data();
    assert_eq!(
        (o["status"].as_str(), o["carrier"].as_str(), o["tracking_number"].as_str()),
        (Some("delivered"), Some("DHL"), Some("JD014600006281"))
    );
    let statuses: Vec<_> =
        o["status_history"].as_array().unwrap().iter().map(|s| s["status"].as_str().unwrap().to_owned()).collect();
    assert_eq!(statuses.last().map(String::as_str), Some("delivered"));
    assert!(statuses.contains(&"shipped".to_owned()) && statuses.contains(&"confirmed".to_owned()));
    let again = app
        .put(&status, Some(&admin), &json!({ "status": "shipped", "carrier": "DHL", "tracking_number": "2" }))
        .await
        .unwrap();
    assert_eq!(again.status, 409);
}

#[tokio::test]
async fn an_owner_cancels_once_and_a_cancelled_order_cannot_move_or_be_invoiced() {
    let app = TestApp::spawn().await.unwrap();
    let admin = app.admin_token().await.unwrap();
    let (_ann, token, id, _) = ordered(&app, &admin, "ann@example.com", "CANCEL-TEE", "pm_card_visa").await;
    let (status, stream) = EventStream::open(&app, &token, &id).await;
    assert_eq!(status, 200);
    let mut stream = stream.unwrap();
    let (event, first) = stream.next(Duration::from_secs(5)).await.expect("the history comes first");
    assert_eq!(
        (event.as_str(), first["status"].as_str(), first["order_id"].as_str()),
        ("status", Some("pending"), Some(id.as_str()))
    );

    let cancelled = app
        .post(&format!("/api/v1/orders/{id}/cancel"), Some(&token), &json!({ "reason": "changed my mind" }))
        .await
        .unwrap();
    assert_eq!((cancelled.status, cancelled.data()["status"].clone()), (200, json!("cancelled")), "{cancelled}");
    assert!(stream.until("cancelled", Duration::from_secs(10)).await, "the feed shows the cancellation live");
    let end = stream.next(Duration::from_secs(10)).await;
    assert!(matches!(&end, Some((event, data)) if event == "end" || data["status"] == "refunded"), "{end:?}");

    let shown = app.get_after(&format!("/api/v1/orders/{id}"), Some(&token), cancelled.position()).await.unwrap();
    assert_eq!(
        (shown.data()["status"].as_str(), shown.data()["cancellation_reason"].as_str()),
        (Some("cancelled"), Some("changed my mind"))
    );
    let twice = app.post(&format!("/api/v1/orders/{id}/cancel"), Some(&token), &json!({})).await.unwrap();
    assert_eq!((twice.status, twice.error_codes()), (409, vec!["order.invalid_transition".to_owned()]), "{twice}");
    let ship = app
        .put(
            &format!("/api/v1/orders/{id}/status"),
            Some(&admin),
            &json!({ "status": "shipped", "carrier": "DHL", "tracking_number": "1" }),
        )
        .await
        .unwrap();
    assert_eq!((ship.status, ship.error_codes()), (409, vec!["order.invalid_transition".to_owned()]), "{ship}");

    let (_, stream) = EventStream::open(&app, &token, &id).await;
    let mut replay = stream.unwrap();
    let mut events = Vec::new();
    while let Some((event, data)) = replay.next(Duration::from_secs(5)).await {
        events.push(format!("{event}:{}", data["status"].as_str().unwrap_or_default()));
    }
    assert_eq!(events.first().map(String::as_str), Some("status:pending"));
    assert!(
        events.contains(&"status:cancelled".to_owned()) && events.last().is_some_and(|e| e.starts_with("end:")),
        "{events:?}"
    );
}

#[tokio::test]
async fn the_invoice_exists_once_confirmed_as_json_and_as_an_escaped_html_page() {
    let app = TestApp::spawn().await.unwrap();
    let admin = app.admin_token().await.unwrap();
    let tee = product(&app, &admin, "Tee <b>Bold</b> & \"Co\"", "INV-TEE", 1999, 10).await;
    let (ann, token) = app.customer("ann@example.com").await.unwrap();
    add(&app, &token, &tee, 2).await;
    let mut shipping = address();
    shipping["name"] = json!("<script>alert('x')</script>");
    let placed = place(&app, &token, &json!({ "shipping_address": shipping, "payment_method": "pm_card_visa" })).await;
    assert_eq!(placed.status, 201, "{placed}");
    let id = placed.data()["id"].as_str().unwrap().to_owned();
    let invoice = format!("/api/v1/orders/{id}/invoice");

    if !confirmed(&app, &token, &id).await {
        let early = app.get_after(&invoice, Some(&token), placed.position()).await.unwrap();
        assert_eq!((early.status, early.error_codes()), (409, vec!["order.not_invoiced".to_owned()]), "{early}");
        return;
    }
    let json_invoice = wait_for_invoice(&app, &token, &invoice).await;
    let i = json_invoice.data();
    assert!(i["invoice_number"].as_str().unwrap().starts_with("INV-"));
    assert_eq!((i["order_id"].as_str(), i["currency"].as_str()), (Some(id.as_str()), Some("USD")));
    assert_eq!((i["subtotal"]["amount"].clone(), i["total"]["amount"].clone()), (json!(3998), json!(3998)));
    assert_eq!(i["buyer"]["customer_id"], ann.as_str());
    assert_eq!(i["lines"][0]["quantity"], 2);
    assert!(i["seller"]["name"].is_string() && i["issued_at"].is_string());

    let html = app.send(Method::GET, &invoice, Some(&token), None, &[("Accept", "text/html")]).await.unwrap();
    assert_eq!(html.status, 200, "{html}");
    assert!(html.header("content-type").unwrap().starts_with("text/html"));
    let page = &html.text;
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains("</html>"));
    assert!(page.contains(i["invoice_number"].as_str().unwrap()));
    assert!(page.contains("39.98 USD"));
    assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;") && !page.contains("<script>"));
    assert!(page.contains("Tee &lt;b&gt;Bold&lt;/b&gt; &amp; &quot;Co&quot;"));
}

/// The invoice once the orders read model shows the confirmation.
async fn wait_for_invoice(app: &TestApp, token: &str, path: &str) -> ApiResponse {
    for _ in 0..100 {
        let answer = app.get(path, Some(token)).await.unwrap();
        if answer.status == 200 {
            return answer;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the invoice of a confirmed order never appeared");
}

#[tokio::test]
async fn absurd_order_input_is_a_4xx_in_the_envelope_and_changes_nothing() {
    let app = TestApp::spawn().await.unwrap();
    let admin = app.admin_token().await.unwrap();
    let tee = product(&app, &admin, "Tee", "ABS-TEE", 2500, 10).await;
    let (ann, token) = app.customer("ann@example.com").await.unwrap();
    let added = add(&app, &token, &tee, 1).await;

    let with = |field: &str, value: Value| {
        let mut body = json!({ "shipping_address": address(), "payment_method": "pm_card_visa" });
        body[field] = value;
        body
    };
    let mut long_city = address();
    long_city["city"] = json!("x".repeat(101));
    let mut bad_country = address();
    bad_country["country"] = json!("Narnia");
    let mut huge = address();
    huge["line1"] = json!("x".repeat(1024 * 1024));
    oversized(&app, &token, "/api/v1/orders", &with("shipping_address", huge)).await;
    let bodies = [
        with("shipping_address", long_city),
        with("shipping_address", bad_country),
        with("shipping_address", json!("Berlin")),
        with("payment_method", json!(42)),
        with("lines", json!([])),
        with("lines", json!([{ "product_id": tee, "quantity": -1 }])),
        with("lines", json!([{ "product_id": tee, "quantity": 1e30 }])),
        with("lines", json!([{ "product_id": "nope", "quantity": 1 }])),
        with("gift_wrap", json!(true)),
        json!({ "payment_method": "pm_card_visa" }),
        json!("order please"),
    ];
    for body in &bodies {
        let answer = place(&app, &token, body).await;
        assert!((400..500).contains(&answer.status) && answer.is_envelope(), "{body:.100}: {answer}");
    }
    let form = app
        .send_raw(
            Method::POST,
            "/api/v1/orders",
            Some(&token),
            "application/x-www-form-urlencoded",
            b"payment_method=x".to_vec(),
        )
        .await
        .unwrap();
    assert_eq!((form.status, form.is_envelope()), (415, true), "{form}");
    for path in ["/api/v1/orders/not-an-id", "/api/v1/orders/user/not-an-id", "/api/v1/orders/42/invoice"] {
        let answer = app.get(path, Some(&token)).await.unwrap();
        assert_eq!((answer.status, answer.is_envelope()), (404, true), "{path}: {answer}");
    }
    let paging = app.get(&format!("/api/v1/orders/user/{ann}?page=0&page_size=100000"), Some(&token)).await.unwrap();
    assert_eq!(
        (paging.status, paging.error_fields()),
        (400, vec!["page".to_owned(), "page_size".to_owned()]),
        "{paging}"
    );
    let cancel = app
        .post(
            &format!("/api/v1/orders/{}/cancel", uuid::Uuid::now_v7()),
            Some(&token),
            &json!({ "reason": "x".repeat(501) }),
        )
        .await
        .unwrap();
    assert_eq!(cancel.status, 404);

    let history = app.get_after(&format!("/api/v1/orders/user/{ann}"), Some(&token), added.position()).await.unwrap();
    assert_eq!(history.data()["total"], 0, "no order was placed");
    let cart = app.get_after(&format!("/api/v1/cart/{ann}"), Some(&token), added.position()).await.unwrap();
    assert_eq!(cart.data()["items"].as_array().unwrap().len(), 1, "the cart is as it was");
}

#[tokio::test]
async fn a_retried_order_with_the_same_idempotency_key_is_placed_once() {
    let app = TestApp::spawn().await.unwrap();
    let admin = app.admin_token().await.unwrap();
    let tee = product(&app, &admin, "Tee", "IDEM-TEE", 2500, 10).await;
    let (ann, token) = app.customer("ann@example.com").await.unwrap();
    add(&app, &token, &tee, 1).await;
    let body = json!({ "shipping_address": address(), "payment_method": "pm_card_visa" });
    let first = app
        .send(Method::POST, "/api/v1/orders", Some(&token), Some(&body), &[("Idempotency-Key", "order-1")])
        .await
        .unwrap();
    assert_eq!(first.status, 201, "{first}");
    let again = app
        .send(Method::POST, "/api/v1/orders", Some(&token), Some(&body), &[("Idempotency-Key", "order-1")])
        .await
        .unwrap();
    assert_eq!((again.status, again.data()["id"].clone()), (201, first.data()["id"].clone()), "{again}");
    let history = app
        .get_after(&format!("/api/v1/orders/user/{ann}"), Some(&token), again.position().max(first.position()))
        .await
        .unwrap();
    assert_eq!(history.data()["total"], 1);
}

#[tokio::test]
async fn two_concurrent_checkouts_of_one_cart_place_one_order() {
    let app = TestApp::spawn().await.unwrap();
    let admin = app.admin_token().await.unwrap();
    let tee = product(&app, &admin, "Tee", "RACE-TEE", 2500, 10).await;
    let (ann, token) = app.customer("ann@example.com").await.unwrap();
    add(&app, &token, &tee, 1).await;
    let body = json!({ "shipping_address": address(), "payment_method": "pm_card_visa" });
    let (first, second) = tokio::join!(place(&app, &token, &body), place(&app, &token, &body));
    let mut statuses = [first.status, second.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 400], "{first}\n{second}");
    let refused = if first.status == 400 { &first } else { &second };
    assert_eq!(refused.error_codes(), ["cart.empty"]);
    let history = app
        .get_after(&format!("/api/v1/orders/user/{ann}"), Some(&token), first.position().max(second.position()))
        .await
        .unwrap();
    assert_eq!(history.data()["total"], 1);
}

/// Posts a body far over the size limit on a connection of its own: the server may
/// answer 413 and close before the client has written it all, which must not
/// disturb the test app's pooled connections.
async fn oversized(app: &TestApp, token: &str, path: &str, body: &Value) {
    let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    match client.post(format!("{}{path}", app.base)).bearer_auth(token).json(body).send().await {
        Ok(response) => {
            let answer = ApiResponse::read(response).await.unwrap();
            assert!((400..500).contains(&answer.status) && answer.is_envelope(), "oversized body: {answer}");
        }
        Err(error) => eprintln!("an oversized body was cut off by the server: {error}"),
    }
}
