//! The shopping cart over HTTP, end to end through the real `emporium serve`: a
//! customer fills, changes and empties their cart, applies coupons, and is held to
//! the stock there is; nobody else reaches their cart but staff reading it; bad
//! input gets a 4xx in the envelope and changes nothing. Reads use
//! `X-Emporium-Min-Position` to see the writes before them, never sleeps.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use emporium_tests::app::{ApiResponse, TestApp};
use reqwest::Method;
use serde_json::{Value, json};

const ITEMS: &str = "/api/v1/cart/items";

/// Creates a product with `stock` units at `amount` cents and returns its id.
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
    app.post(ITEMS, Some(token), &json!({ "product_id": product_id, "quantity": quantity })).await.unwrap()
}

async fn cart(app: &TestApp, token: &str, customer: &str, position: u64) -> ApiResponse {
    let shown = app.get_after(&format!("/api/v1/cart/{customer}"), Some(token), position).await.unwrap();
    assert_eq!(shown.status, 200, "{shown}");
    shown
}

fn money(amount: i64) -> Value {
    json!({ "amount": amount, "currency": "USD" })
}

fn item<'a>(cart: &'a Value, product_id: &str) -> &'a Value {
    cart["items"].as_array().unwrap().iter().find(|i| i["product_id"] == product_id).expect("the product's line")
}

#[tokio::test]
async fn a_customer_fills_the_cart_changes_quantities_and_sees_the_totals() {
    let app = TestApp::spawn().await.unwrap();
    let admin = app.admin_token().await.unwrap();
    let tee = product(&app, &admin, "Tee", "CART-TEE", 2500, 10).await;
    let mug = product(&app, &admin, "Mug", "CART-MUG", 1200, 10).await;
    let (ann, token) = app.customer("ann@example.com").await.unwrap();

    let added = add(&app, &token, &tee, 2).await;
    assert_eq!(added.status, 201, "{added}");
    assert!(added.is_envelope());
    assert_eq!(added.header("location"), Some(format!("/api/v1/cart/{ann}").as_str()));
    assert!(added.position() > 0);
    assert_eq!(added.data()["position"], added.position());
    assert_eq!(added.data()["items"][0]["quantity"], 2, "a write answers with the cart");
    let tee_line = added.data()["item_id"].as_str().unwrap().to_owned();

    let mug_added = add(&app, &token, &mug, 1).await;
    assert_eq!(mug_added.status, 201, "{mug_added}");
    let merged = add(&app, &token, &tee, 1).await;
    assert_eq!(merged.status, 200, "more of a product merges into its line: {merged}");
    assert_eq!(merged.data()["item_id"], tee_line.as_str());

    let shown = cart(&app, &token, &ann, merged.position()).await;
    let c = shown.data();
    assert_eq!((c["id"].as_str(), c["customer_id"].as_str()), (Some(ann.as_str()), Some(ann.as_str())));
    assert_eq!(c["items"].as_array().unwrap().len(), 2);
    let line = item(c, &tee);
    assert_eq!(
        (line["id"].as_str(), line["name"].as_str(), line["quantity"].as_u64()),
        (Some(tee_line.as_str()), Some("Tee"), Some(3))
    );
    assert_eq!((line["unit_price"].clone(), line["line_total"].clone()), (money(2500), money(7500)));
    assert_eq!(
        (c["subtotal"].clone(), c["discount"].clone(), c["total"].clone()),
        (money(8700), money(0), money(8700))
    );
    assert_eq!(c["coupon_code"], Value::Null);

    let changed = app.put(&format!("{ITEMS}/{tee_line}"), Some(&token), &json!({ "quantity": 5 })).await.unwrap();
    assert_eq!(changed.status, 200, "{changed}");
    let mug_line = item(changed.data(), &mug)["id"].as_str().unwrap().to_owned();
    let removed = app.delete(&format!("{ITEMS}/{mug_line}"), Some(&token)).await.unwrap();
    assert_eq!(removed.status, 200, "{removed}");

    let shown = cart(&app, &token, &ann, removed.position()).await;
    assert_eq!(shown.data()["items"].as_array().unwrap().len(), 1);
    assert_eq!(item(shown.data(), &tee)["quantity"], 5);
    assert_eq!(shown.data()["total"], money(12500));

    let again = app.delete(&format!("{ITEMS}/{mug_line}"), Some(&token)).await.unwrap();
    assert_eq!((again.status, again.error_codes()), (404, vec!["cart.line_not_found".to_owned()]));
}

#[tokio::test]
async fn an_unused_cart_and_a_cleared_cart_answer_200_with_no_items_and_zero_totals() {
    let app = TestApp::spawn().await.unwrap();
    let admin = app.admin_token().await.unwrap();
    let tee = product(&app, &admin, "Tee", "CLEAR-TEE", 2500, 10).await;
    let (ann, token) = app.customer("ann@example.com").await.unwrap();

    let fresh = cart(&app, &token, &ann, 0).await;
    assert_eq!(fresh.data()["items"], json!([]));
    assert_eq!(fresh.data()["total"]["amount"], 0);

    let cleared_empty = app.delete(&format!("/api/v1/cart/{ann}/clear"), Some(&token)).await.unwrap();
    assert_eq!(cleared_empty.status, 200, "clearing a never-used cart is fine: {cleared_empty}");

    add(&app, &token, &tee, 2).await;
    let cleared = app.delete(&format!("/api/v1/cart/{ann}/clear"), Some(&token)).await.unwrap();
    assert_eq!(cleared.status, 200, "{cleared}");
    assert_eq!(cleared.data()["items"], json!([]));
    let shown = cart(&app, &token, &ann, cleared.position()).await;
    assert_eq!((shown.data()["items"].clone(), shown.data()["subtotal"]["amount"].clone()), (json!([]), json!(0)));
}

#[tokio::test]
async fn nobody_but_the_owner_reaches_a_cart_though_staff_may_read_it() {
    let app = TestApp::spawn().await.unwrap();
    let admin = app.admin_token().await.unwrap();
    let tee = product(&app, &admin, "Tee", "OWN-TEE", 2500, 10).await;
    let (ann, ann_token) = app.customer("ann@example.com").await.unwrap();
    let (_bob, bob_token) = app.customer("bob@example.com").await.unwrap();
    let added = add(&app, &ann_token, &tee, 1).await;
    let line = added.data()["item_id"].as_str().unwrap().to_owned();

    let peek = app.get_after(&format!("/api/v1/cart/{ann}"), Some(&bob_token), added.position()).await.unwrap();
    assert_eq!((peek.status, peek.data().clone()), (404, Value::Null), "{peek}");
    let clear = app.delete(&format!("/api/v1/cart/{ann}/clear"), Some(&bob_token)).await.unwrap();
    assert_eq!(clear.status, 404, "{clear}");
    let change = app.put(&format!("{ITEMS}/{line}"), Some(&bob_token), &json!({ "quantity": 9 })).await.unwrap();
    assert_eq!(change.status, 404, "another customer's line is not in their cart: {change}");
    let remove = app.delete(&format!("{ITEMS}/{line}"), Some(&bob_token)).await.unwrap();
    assert_eq!(remove.status, 404, "{remove}");

    assert_eq!(app.get(&format!("/api/v1/cart/{ann}"), None).await.unwrap().status, 401);
    assert_eq!(add(&app, "not-a-token", &tee, 1).await.status, 401);

    let staff = cart(&app, &admin, &ann, added.position()).await;
    assert_eq!(item(staff.data(), &tee)["quantity"], 1, "Bob changed nothing");
}

#[tokio::test]
async fn a_coupon_discounts_the_cart_and_unknown_or_expired_codes_are_refused() {
    let app = TestApp::spawn().await.unwrap();
    let admin = app.admin_token().await.unwrap();
    let tee = product(&app, &admin, "Tee", "COUPON-TEE", 2000, 10).await;
    let coupon = |code: &str, from: &str, until: &str| json!({ "code": code, "kind": "percent", "value": 10, "valid_from": from, "valid_until": until });
    for body in [
        coupon("SAVE10", "2020-01-01T00:00:00Z", "2999-01-01T00:00:00Z"),
        coupon("OLD10", "2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z"),
    ] {
        let created = app.post("/api/v1/coupons", Some(&admin), &body).await.unwrap();
        assert_eq!(created.status, 201, "{created}");
    }
    let (ann, token) = app.customer("ann@example.com").await.unwrap();

    let empty = app.post("/api/v1/cart/apply-coupon", Some(&token), &json!({ "code": "SAVE10" })).await.unwrap();
    assert_eq!((empty.status, empty.error_codes()), (400, vec!["cart.empty".to_owned()]), "{empty}");

    add(&app, &token, &tee, 2).await;
    let applied = app.post("/api/v1/cart/apply-coupon", Some(&token), &json!({ "code": " save10 " })).await.unwrap();
    assert_eq!(applied.status, 200, "{applied}");
    let shown = cart(&app, &token, &ann, applied.position()).await;
    let c = shown.data();
    assert_eq!(c["coupon_code"], "SAVE10");
    assert_eq!(
        (c["subtotal"].clone(), c["discount"].clone(), c["total"].clone()),
        (money(4000), money(400), money(3600))
    );

    let unknown = app.post("/api/v1/cart/apply-coupon", Some(&token), &json!({ "code": "NOPE99" })).await.unwrap();
    assert_eq!((unknown.status, unknown.error_codes()), (404, vec!["coupon.not_found".to_owned()]), "{unknown}");
    let expired = app.post("/api/v1/cart/apply-coupon", Some(&token), &json!({ "code": "OLD10" })).await.unwrap();
    assert_eq!((expired.status, expired.error_codes()), (409, vec!["coupon.expired".to_owned()]), "{expired}");
    let blank = app.post("/api/v1/cart/apply-coupon", Some(&token), &json!({ "code": "" })).await.unwrap();
    assert_eq!((blank.status, blank.error_fields()), (400, vec!["code".to_owned()]));

    let removed = app.delete("/api/v1/cart/coupon", Some(&token)).await.unwrap();
    assert_eq!(removed.status, 200, "{removed}");
    let shown = cart(&app, &token, &ann, removed.position()).await;
    assert_eq!((shown.data()["coupon_code"].clone(), shown.data()["total"].clone()), (Value::Null, money(4000)));
}

#[tokio::test]
async fn a_cart_never_holds_more_than_the_stock_or_products_that_cannot_be_sold() {
    let app = TestApp::spawn().await.unwrap();
    let admin = app.admin_token().await.unwrap();
    let tee = product(&app, &admin, "Tee", "STOCK-TEE", 2500, 3).await;
    let gone = product(&app, &admin, "Old mug", "STOCK-MUG", 900, 5).await;
    let discontinued = app.delete(&format!("/api/v1/products/{gone}"), Some(&admin)).await.unwrap();
    assert_eq!(discontinued.status, 200, "{discontinued}");
    let (ann, token) = app.customer("ann@example.com").await.unwrap();

    let too_many = add(&app, &token, &tee, 4).await;
    assert_eq!(
        (too_many.status, too_many.error_codes()),
        (409, vec!["inventory.insufficient_stock".to_owned()]),
        "{too_many}"
    );
    let added = add(&app, &token, &tee, 2).await;
    assert_eq!(added.status, 201);
    let two_more = add(&app, &token, &tee, 2).await;
    assert_eq!(two_more.status, 409, "2 in the cart + 2 is more than 3: {two_more}");
    let line = added.data()["item_id"].as_str().unwrap();
    let raised = app.put(&format!("{ITEMS}/{line}"), Some(&token), &json!({ "quantity": 4 })).await.unwrap();
    assert_eq!((raised.status, raised.error_codes()), (409, vec!["inventory.insufficient_stock".to_owned()]));
    let lowered = app.put(&format!("{ITEMS}/{line}"), Some(&token), &json!({ "quantity": 3 })).await.unwrap();
    assert_eq!(lowered.status, 200, "{lowered}");

    let not_for_sale = add(&app, &token, &gone, 1).await;
    assert_eq!((not_for_sale.status, not_for_sale.error_codes()), (409, vec!["product.discontinued".to_owned()]));
    let unknown = add(&app, &token, &uuid::Uuid::now_v7().to_string(), 1).await;
    assert_eq!((unknown.status, unknown.error_codes()), (404, vec!["product.not_found".to_owned()]));

    let shown = cart(&app, &token, &ann, lowered.position()).await;
    assert_eq!(shown.data()["items"].as_array().unwrap().len(), 1);
    assert_eq!(item(shown.data(), &tee)["quantity"], 3);
}

#[tokio::test]
async fn absurd_input_is_a_4xx_in_the_envelope_and_changes_nothing() {
    let app = TestApp::spawn().await.unwrap();
    let admin = app.admin_token().await.unwrap();
    let tee = product(&app, &admin, "Tee", "BAD-TEE", 2500, 10).await;
    let (ann, token) = app.customer("ann@example.com").await.unwrap();
    let added = add(&app, &token, &tee, 1).await;
    let line = added.data()["item_id"].as_str().unwrap().to_owned();

    let bodies = [
        json!({ "product_id": tee, "quantity": 0 }),
        json!({ "product_id": tee, "quantity": -1 }),
        json!({ "product_id": tee, "quantity": 1001 }),
        json!({ "product_id": tee, "quantity": 1e30 }),
        json!({ "product_id": tee, "quantity": 1.5 }),
        json!({ "product_id": tee, "quantity": "3" }),
        json!({ "product_id": tee, "quantity": 1, "price": 1 }),
        json!({ "product_id": tee }),
        json!({ "product_id": "../../etc/passwd", "quantity": 1 }),
        json!([1, 2, 3]),
        json!(null),
    ];
    for body in &bodies {
        let answer = app.post(ITEMS, Some(&token), body).await.unwrap();
        assert!((400..500).contains(&answer.status), "{body:.80}: {answer}");
        assert!(answer.is_envelope(), "{answer}");
    }
    oversized(&app, &token, ITEMS, &json!({ "product_id": "x".repeat(1024 * 1024), "quantity": 1 })).await;
    let quantity = add(&app, &token, &tee, 0).await;
    assert_eq!(quantity.error_fields(), ["quantity"]);

    let raw = [
        ("application/json", b"{\"product_id\": ".to_vec()),
        ("text/plain", br#"{"product_id": "x", "quantity": 1}"#.to_vec()),
        ("application/json", vec![0xff, 0xfe, 0x00]),
    ];
    for (content_type, body) in raw {
        let answer = app.send_raw(Method::POST, ITEMS, Some(&token), content_type, body).await.unwrap();
        assert!((400..500).contains(&answer.status) && answer.is_envelope(), "{content_type}: {answer}");
    }
    for bad in [json!({ "quantity": 0 }), json!({ "quantity": -5 }), json!({ "quantity": 2, "extra": true }), json!({})]
    {
        let answer = app.put(&format!("{ITEMS}/{line}"), Some(&token), &bad).await.unwrap();
        assert!((400..500).contains(&answer.status) && answer.is_envelope(), "{bad}: {answer}");
    }
    for path in [format!("{ITEMS}/not-a-line"), format!("{ITEMS}/{}", uuid::Uuid::now_v7())] {
        let answer = app.put(&path, Some(&token), &json!({ "quantity": 2 })).await.unwrap();
        assert_eq!((answer.status, answer.is_envelope()), (404, true), "{answer}");
    }
    let bad_user = app.get("/api/v1/cart/not-a-uuid", Some(&token)).await.unwrap();
    assert_eq!((bad_user.status, bad_user.is_envelope()), (404, true));
    let long_code =
        app.post("/api/v1/cart/apply-coupon", Some(&token), &json!({ "code": "C".repeat(10_000) })).await.unwrap();
    assert_eq!(long_code.status, 400, "{long_code}");

    let shown = cart(&app, &token, &ann, added.position()).await;
    assert_eq!(shown.data()["items"].as_array().unwrap().len(), 1);
    assert_eq!(item(shown.data(), &tee)["quantity"], 1, "nothing changed");
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
