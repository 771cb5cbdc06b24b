//! The role × endpoint matrix, end to end through the real `emporium serve`: for
//! every endpoint family, what a guest (no token), the owning customer, another
//! customer, a manager and an admin get. Staff-only writes are 401 for guests and
//! 403 for customers; catalog reads are open to everyone; a customer's cart, orders,
//! payments, payment methods and notifications are a 404 for any other customer
//! (the same answer as for something that does not exist) and readable by staff;
//! every answer is the envelope. Reads use `X-Emporium-Min-Position`, never sleeps.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use emporium_tests::app::{ApiResponse, TestApp};
use reqwest::Method;
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery staple";

/// The columns of the matrix.
const ROLES: [&str; 5] = ["guest", "owner", "other customer", "manager", "admin"];
const OTHER: usize = 2;
const ADMIN: usize = 4;

type Expect = [Option<u16>; 5];

/// Staff-only creates.
const STAFF_CREATE: Expect = [Some(401), Some(403), Some(403), Some(201), Some(201)];
/// Staff-only changes.
const STAFF_CHANGE: Expect = [Some(401), Some(403), Some(403), Some(200), Some(200)];
/// Staff-only accepted (queued) work.
const STAFF_ACCEPT: Expect = [Some(401), Some(403), Some(403), Some(202), Some(202)];
/// Staff-only reads.
const STAFF_READ: Expect = [Some(401), Some(403), Some(403), Some(200), Some(200)];
/// Open to everyone.
const PUBLIC: Expect = [Some(200); 5];
/// The owner's and staff's, a 404 for anyone else.
const OWNED: Expect = [Some(401), Some(200), Some(404), Some(200), Some(200)];
/// Any signed-in account, each their own.
const SIGNED_IN: Expect = [Some(401), Some(200), Some(200), Some(200), Some(200)];

/// One line of the matrix; the body may differ per role (unique names, per-role steps).
struct Row {
    method: Method,
    path: String,
    body: Option<Box<dyn Fn(usize) -> Value>>,
    expect: Expect,
}

fn read(path: String, expect: Expect) -> Row {
    Row { method: Method::GET, path, body: None, expect }
}

fn write(method: Method, path: String, body: impl Fn(usize) -> Value + 'static, expect: Expect) -> Row {
    Row { method, path, body: Some(Box::new(body)), expect }
}

fn bodiless(method: Method, path: String, expect: Expect) -> Row {
    Row { method, path, body: None, expect }
}

fn id_of(response: &ApiResponse) -> String {
    response.data()["id"].as_str().unwrap_or_else(|| panic!("no data.id in {response}")).to_owned()
}

fn address() -> Value {
    json!({ "name": "Ann Lee", "line1": "1 Main St", "line2": null, "city": "Berlin", "postal_code": "10115", "country": "DE" })
}

/// Polls the order (as its owner) until it reaches `status`.
async fn order_reaches(app: &TestApp, token: &str, order: &str, status: &str) {
    let mut last = String::new();
    for _ in 0..150 {
        let shown = app.get(&format!("/api/v1/orders/{order}"), Some(token)).await.unwrap();
        if shown.status == 200 && shown.data()["status"] == status {
            return;
        }
        last = shown.to_string();
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("order {order} never became {status}: {last}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_gets_what_it_may_and_is_refused_the_rest_in_the_envelope() {
    let app = TestApp::spawn().await.unwrap();
    let admin = app.admin_token().await.unwrap();
    let mut position = 0u64;

    // The cast: Ann owns things, Bob is another customer, Mona is made a manager
    // (roles reach tokens at the next sign-in), Carol is only there to be promoted.
    let (ann_id, ann) = app.customer("ann@example.com").await.unwrap();
    let (_bob_id, bob) = app.customer("bob@example.com").await.unwrap();
    let (mona_id, _) = app.customer("mona@example.com").await.unwrap();
    let (carol_id, _) = app.customer("carol@example.com").await.unwrap();
    let granted =
        app.post(&format!("/api/v1/users/{mona_id}/roles"), Some(&admin), &json!({ "role": "manager" })).await.unwrap();
    assert_eq!(granted.status, 200, "{granted}");
    let manager = app.login("mona@example.com", PASSWORD).await.unwrap();
    let tokens: [Option<&str>; 5] = [None, Some(&ann), Some(&bob), Some(&manager), Some(&admin)];

    // The catalog: a category, a product with stock, a coupon.
    let category_body = json!({ "name": "Matrix", "parent_id": null });
    let category = app.post("/api/v1/categories", Some(&admin), &category_body).await.unwrap();
    assert_eq!(category.status, 201, "{category}");
    let category_id = id_of(&category);
    let product_body = |name: &str, sku: &str| {
        json!({
            "name": name, "description": "For the matrix", "sku": sku, "category": category_id,
            "price": { "amount": 2500, "currency": "USD" }, "images": [], "stock": 100,
        })
    };
    let product = app.post("/api/v1/products", Some(&admin), &product_body("Tee", "ROLE-TEE")).await.unwrap();
    assert_eq!(product.status, 201, "{product}");
    let product_id = id_of(&product);
    let doomed = app.post("/api/v1/products", Some(&admin), &product_body("Doomed", "ROLE-DOOMED")).await.unwrap();
    assert_eq!(doomed.status, 201, "{doomed}");
    let doomed_id = id_of(&doomed);
    let coupon_body = json!({ "code": "ROLES10", "kind": "percent", "value": 10 });
    let coupon = app.post("/api/v1/coupons", Some(&admin), &coupon_body).await.unwrap();
    assert_eq!(coupon.status, 201, "{coupon}");
    let coupon_id = id_of(&coupon);

    // Ann's order (explicit lines, paid by the saga) and her cart.
    let placed = app
        .post(
            "/api/v1/orders",
            Some(&ann),
            &json!({ "shipping_address": address(), "payment_method": "pm_card_visa", "lines": [{ "product_id": product_id, "quantity": 2 }] }),
        )
        .await
        .unwrap();
    assert_eq!(placed.status, 201, "{placed}");
    let order_id = id_of(&placed);
    order_reaches(&app, &ann, &order_id, "confirmed").await;
    let paid = app.get(&format!("/api/v1/payments/order/{order_id}"), Some(&ann)).await.unwrap();
    assert_eq!((paid.status, paid.data()["status"].as_str()), (200, Some("captured")), "{paid}");
    let payment_id = id_of(&paid);
    let method = app.post("/api/v1/payments/methods", Some(&ann), &json!({ "token": "pm_card_visa" })).await.unwrap();
    assert_eq!(method.status, 201, "{method}");
    let added =
        app.post("/api/v1/cart/items", Some(&ann), &json!({ "product_id": product_id, "quantity": 1 })).await.unwrap();
    assert_eq!(added.status, 201, "{added}");
    for r in [&granted, &category, &product, &doomed, &coupon, &placed, &method, &added] {
        position = position.max(r.position());
    }

    let products = "/api/v1/products".to_owned();
    let v1 = |p: &str| format!("/api/v1{p}");
    let unique = |prefix: &'static str| move |role: usize| json!(format!("{prefix}-{}", ROLES[role].replace(' ', "-")));
    let sku = unique("ROLE-NEW");
    let cat_name = unique("Category");
    let code = unique("CODE");
    let rows = vec![
        // Catalog writes: staff only.
        write(
            Method::POST,
            products.clone(),
            move |role| {
                json!({
                    "name": "New tee", "description": "", "sku": sku(role),
                    "price": { "amount": 1000, "currency": "USD" }, "images": [], "stock": 3,
                })
            },
            STAFF_CREATE,
        ),
        write(
            Method::PUT,
            v1(&format!("/products/{product_id}")),
            |role| json!({ "description": format!("Edited by the {}", ROLES[role]) }),
            STAFF_CHANGE,
        ),
        write(
            Method::POST,
            v1(&format!("/products/{product_id}/stock")),
            |_| json!({ "quantity": 5, "reason": "restock" }),
            STAFF_CHANGE,
        ),
        bodiless(Method::DELETE, v1(&format!("/products/{doomed_id}")), STAFF_CHANGE),
        write(
            Method::POST,
            v1("/categories"),
            move |role| json!({ "name": cat_name(role), "parent_id": null }),
            STAFF_CREATE,
        ),
        write(
            Method::POST,
            v1("/coupons"),
            move |role| json!({ "code": code(role), "kind": "fixed", "value": 100, "max_uses": 5 }),
            STAFF_CREATE,
        ),
        read(v1(&format!("/coupons/{coupon_id}")), STAFF_READ),
        // Catalog reads: everyone.
        read(products.clone(), PUBLIC),
        read(v1("/products/search?q=tee"), PUBLIC),
        read(v1(&format!("/products/{product_id}")), PUBLIC),
        read(v1(&format!("/products?category={category_id}&sort=price&page=1&page_size=5")), PUBLIC),
        read(v1("/categories"), PUBLIC),
        read(v1(&format!("/categories/{category_id}")), PUBLIC),
        // Ann's things: hers and staff's, a 404 for Bob.
        read(v1(&format!("/cart/{ann_id}")), OWNED),
        read(v1(&format!("/orders/{order_id}")), OWNED),
        read(v1(&format!("/orders/user/{ann_id}")), OWNED),
        read(v1(&format!("/orders/{order_id}/invoice")), OWNED),
        read(v1(&format!("/payments/order/{order_id}")), OWNED),
        read(v1(&format!("/payments/{payment_id}")), OWNED),
        read(v1(&format!("/payments/methods/{ann_id}")), OWNED),
        read(v1(&format!("/notifications/{ann_id}/history")), OWNED),
        // Order status: staff only; the manager ships, the admin delivers.
        write(
            Method::PUT,
            v1(&format!("/orders/{order_id}/status")),
            |role| match role {
                ADMIN => json!({ "status": "delivered" }),
                _ => json!({ "status": "shipped", "carrier": "DHL", "tracking_number": "JD014600006281" }),
            },
            STAFF_CHANGE,
        ),
        // Cancelling someone else's order: no hint it exists.
        write(
            Method::POST,
            v1(&format!("/orders/{order_id}/cancel")),
            |_| json!({ "reason": "mine now" }),
            [Some(401), None, Some(404), None, None],
        ),
        // Paying someone else's order: no hint either.
        write(
            Method::POST,
            v1("/payments/process"),
            move |_| json!({ "order_id": "ORDER", "payment_method": "pm_card_visa" }),
            [Some(401), None, Some(404), None, None],
        ),
        // Refunds: staff only (a partial refund each).
        write(
            Method::POST,
            v1("/payments/refund"),
            move |_| json!({ "payment_id": "PAYMENT", "amount": 100 }),
            STAFF_CHANGE,
        ),
        // Stripe's webhook takes no token (the signature authenticates) and this shop
        // has no signing secret: it is not there, whoever asks.
        write(
            Method::POST,
            v1("/payments/webhooks/stripe"),
            |_| json!({ "id": "evt_roles", "type": "charge.refunded", "data": { "object": {} } }),
            [Some(404); 5],
        ),
        // Campaigns: staff only.
        write(
            Method::POST,
            v1("/notifications/email"),
            |role| json!({ "subject": format!("Sale from the {}", ROLES[role]), "body": "Everything 10% off." }),
            STAFF_ACCEPT,
        ),
        write(Method::POST, v1("/notifications/sms"), |_| json!({ "body": "Flash sale today!" }), STAFF_ACCEPT),
        // Profile: any signed-in account, its own.
        read(v1("/users/profile"), SIGNED_IN),
        write(Method::PUT, v1("/users/profile"), |_| json!({ "name": "Role Tester" }), SIGNED_IN),
        // Saving a payment method: customers, for themselves.
        write(
            Method::POST,
            v1("/payments/methods"),
            |_| json!({ "token": "pm_card_mastercard" }),
            [Some(401), Some(201), Some(201), None, None],
        ),
        // Clearing Ann's cart: hers and staff's, a 404 for Bob.
        bodiless(Method::DELETE, v1(&format!("/cart/{ann_id}/clear")), OWNED),
        // Roles: admin only.
        write(
            Method::POST,
            v1(&format!("/users/{carol_id}/roles")),
            |_| json!({ "role": "manager" }),
            [Some(401), Some(403), Some(403), Some(403), Some(200)],
        ),
    ];

    let mut failures = Vec::new();
    for row in &rows {
        for (role, expected) in row.expect.iter().enumerate() {
            let Some(expected) = *expected else { continue };
            let token = tokens[role];
            let body = row.body.as_ref().map(|b| {
                let mut body = b(role);
                // Ids only known by now.
                if body.get("order_id") == Some(&json!("ORDER")) {
                    body["order_id"] = json!(order_id);
                }
                if body.get("payment_id") == Some(&json!("PAYMENT")) {
                    body["payment_id"] = json!(payment_id);
                }
                body
            });
            let answer = if row.method == Method::GET {
                app.get_after(&row.path, token, position).await.unwrap()
            } else {
                app.request(row.method.clone(), &row.path, token, body.as_ref()).await.unwrap()
            };
            position = position.max(answer.position());
            let label = format!("{} {} as {}", row.method, row.path, ROLES[role]);
            if answer.status != expected {
                failures.push(format!("{label}: expected {expected}, got {answer}"));
                continue;
            }
            if !answer.is_envelope() || answer.body["success"] != (200..300).contains(&expected) {
                failures.push(format!("{label}: not the envelope with success={}: {answer}", expected < 300));
                continue;
            }
            // Another customer's 404 says no more than a 404 for something that does not exist.
            if role == OTHER && expected == 404 && row.method == Method::GET {
                let nobody = uuid::Uuid::now_v7().to_string();
                let ghost_path =
                    row.path.replace(&ann_id, &nobody).replace(&order_id, &nobody).replace(&payment_id, &nobody);
                let ghost = app.get(&ghost_path, token).await.unwrap();
                let scrub = |r: &ApiResponse, ids: &[&str]| {
                    let mut message = r.body["message"].as_str().unwrap_or_default().to_owned();
                    for id in ids {
                        message = message.replace(id, "<id>");
                    }
                    (r.status, r.error_codes(), message)
                };
                let hidden = scrub(&answer, &[&ann_id, &order_id, &payment_id]);
                let missing = scrub(&ghost, &[&nobody]);
                if hidden != missing {
                    failures.push(format!("{label}: another's 404 differs from a missing one: {answer} vs {ghost}"));
                }
                for id in [&ann_id, &order_id, &payment_id] {
                    if answer.text.contains(id.as_str()) {
                        failures.push(format!("{label}: the 404 names {id}: {answer}"));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} cells of the matrix are wrong:\n{}", failures.len(), failures.join("\n"));

    // The refused writes changed nothing: the staff's changes are there and no one else's.
    let shown = app.get_after(&format!("/api/v1/orders/{order_id}"), Some(&ann), position).await.unwrap();
    let statuses: Vec<_> = shown.data()["status_history"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["status"].as_str().map(str::to_owned))
        .collect();
    assert!(statuses.contains(&"shipped".to_owned()) && !statuses.contains(&"cancelled".to_owned()), "{shown}");
    let listing = app.get_after("/api/v1/categories", None, position).await.unwrap();
    let names: Vec<_> = listing.data()["items"].as_array().unwrap().iter().filter_map(|c| c["name"].as_str()).collect();
    assert!(names.contains(&"Category-manager") && names.contains(&"Category-admin"), "{listing}");
    assert!(!names.iter().any(|n| n.contains("guest") || n.contains("customer") || n.contains("owner")), "{listing}");
    let payment = app.get_after(&format!("/api/v1/payments/{payment_id}"), Some(&admin), position).await.unwrap();
    assert_eq!(payment.data()["refunded_amount"]["amount"], 200, "two staff refunds of 100: {payment}");
}
