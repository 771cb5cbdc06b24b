//! What an attacker sends beyond the happy path: fields a client must not set (roles,
//! verification, prices, totals, statuses), requests past the data limits, and
//! sign-in timing that could tell which addresses have accounts. Each limit is refused
//! with a 4xx that names it.

use std::time::{Duration, Instant};

use emporium_domain::cart::MAX_CART_LINES;
use emporium_domain::order::MAX_ORDER_LINES;
use emporium_tests::app::TestApp;
use emporium_tests::checkout;
use reqwest::Method;
use serde_json::{Value, json};

fn address() -> Value {
    json!({ "name": "Ann Lee", "line1": "1 Main St", "line2": null, "city": "Berlin", "postal_code": "10115", "country": "DE" })
}

#[tokio::test]
async fn fields_a_client_must_not_set_are_refused_and_change_nothing() -> anyhow::Result<()> {
    let app = TestApp::spawn_with(None, &["--auth-rate-limit", "0"]).await?;
    let admin = app.admin_token().await?;
    let product = checkout::product(&app, &admin, "MASS-1", 1_000, 10).await?;
    let (ann_id, ann) = app.customer("ann@example.com").await?;
    let cheap = json!({ "amount": 1, "currency": "USD" });
    let attempts = [
        (
            Method::POST,
            "/api/v1/users/register",
            json!({ "email": "mallory@example.com", "password": "correct horse battery", "name": "M", "roles": ["Admin"] }),
            None,
            "roles",
        ),
        (Method::PUT, "/api/v1/users/profile", json!({ "name": "Ann", "roles": ["Admin"] }), Some(&ann), "roles"),
        (Method::PUT, "/api/v1/users/profile", json!({ "email_verified": true }), Some(&ann), "email_verified"),
        (
            Method::POST,
            "/api/v1/cart/items",
            json!({ "product_id": product, "quantity": 1, "unit_price": cheap }),
            Some(&ann),
            "unit_price",
        ),
        (
            Method::POST,
            "/api/v1/orders",
            json!({ "shipping_address": address(), "payment_method": "pm_card_visa",
                    "lines": [{ "product_id": product, "quantity": 1, "unit_price": cheap }] }),
            Some(&ann),
            "unit_price",
        ),
        (
            Method::POST,
            "/api/v1/orders",
            json!({ "shipping_address": address(), "payment_method": "pm_card_visa", "total": cheap,
                    "lines": [{ "product_id": product, "quantity": 1 }] }),
            Some(&ann),
            "total",
        ),
        (
            Method::POST,
            "/api/v1/orders",
            json!({ "shipping_address": address(), "payment_method": "pm_card_visa", "status": "Delivered",
                    "lines": [{ "product_id": product, "quantity": 1 }] }),
            Some(&ann),
            "status",
        ),
    ];
    for (method, path, body, token, field) in attempts {
        let refused = app.send(method.clone(), path, token.map(String::as_str), Some(&body), &[]).await?;
        assert_eq!(refused.status, 400, "{method} {path} with {field}: {refused}");
        assert!(
            refused.error_fields().iter().any(|named| named.ends_with(field)),
            "{method} {path}: the refusal names {field}: {refused}"
        );
    }
    // Nothing of it took effect.
    let profile = app.get("/api/v1/users/profile", Some(&ann)).await?;
    assert_eq!(profile.data()["roles"], json!(["customer"]), "{profile}");
    assert_eq!(app.post("/api/v1/products", Some(&ann), &json!({})).await?.status, 403);
    let mallory = app
        .post(
            "/api/v1/users/login",
            None,
            &json!({ "email": "mallory@example.com", "password": "correct horse battery" }),
        )
        .await?;
    assert_eq!(mallory.status, 401, "no account was made: {mallory}");
    let cart = app.get(&format!("/api/v1/cart/{ann_id}"), Some(&ann)).await?;
    assert!(cart.status == 404 || cart.data()["items"].as_array().is_some_and(Vec::is_empty), "{cart}");
    let orders = app.get(&format!("/api/v1/orders/user/{ann_id}"), Some(&ann)).await?;
    assert_eq!(orders.data()["items"], json!([]), "{orders}");
    Ok(())
}

#[tokio::test]
async fn every_data_limit_is_refused_with_a_4xx_that_names_it() -> anyhow::Result<()> {
    let app = TestApp::spawn_with(None, &["--rate-limit", "0", "--auth-rate-limit", "0"]).await?;
    let admin = app.admin_token().await?;
    let (_, ann) = app.customer("ann@example.com").await?;

    let page = app.get("/api/v1/products?page_size=101", None).await?;
    assert_eq!((page.status, page.error_fields()), (400, vec!["page_size".to_owned()]), "{page}");
    assert!(page.to_string().contains("100"), "the limit is named: {page}");

    let long = "a".repeat(201);
    let search = app.get(&format!("/api/v1/products/search?q={long}"), None).await?;
    assert_eq!((search.status, search.error_fields()), (400, vec!["q".to_owned()]), "{search}");
    assert!(search.to_string().contains("200"), "the limit is named: {search}");

    let mut products = Vec::new();
    for n in 0..=MAX_CART_LINES.max(MAX_ORDER_LINES) {
        products.push(checkout::product(&app, &admin, &format!("LIMIT-{n}"), 100, 5).await?);
    }
    let too_many =
        app.post("/api/v1/cart/items", Some(&ann), &json!({ "product_id": products[0], "quantity": 1001 })).await?;
    assert_eq!((too_many.status, too_many.error_fields()), (400, vec!["quantity".to_owned()]), "{too_many}");
    assert!(too_many.to_string().contains("1000"), "the limit is named: {too_many}");

    for product in &products[..MAX_CART_LINES] {
        let added =
            app.post("/api/v1/cart/items", Some(&ann), &json!({ "product_id": product, "quantity": 1 })).await?;
        assert_eq!(added.status, 201, "{added}");
    }
    let one_more = app
        .post("/api/v1/cart/items", Some(&ann), &json!({ "product_id": products[MAX_CART_LINES], "quantity": 1 }))
        .await?;
    assert!(one_more.status == 409 || one_more.status == 400, "{one_more}");
    assert_eq!(one_more.error_codes(), vec!["cart.too_many_lines"]);
    assert!(one_more.to_string().contains(&MAX_CART_LINES.to_string()), "the limit is named: {one_more}");

    let lines: Vec<Value> =
        products[..=MAX_ORDER_LINES].iter().map(|id| json!({ "product_id": id, "quantity": 1 })).collect();
    let order = app
        .post(
            "/api/v1/orders",
            Some(&ann),
            &json!({ "shipping_address": address(), "payment_method": "pm_card_visa", "lines": lines }),
        )
        .await?;
    assert_eq!(order.status, 400, "{order}");
    assert_eq!(order.error_codes(), vec!["order.too_many_lines"]);
    assert!(order.to_string().contains(&MAX_ORDER_LINES.to_string()), "the limit is named: {order}");
    Ok(())
}

/// The fastest of `times`: what an attempt costs when nothing else competes for the
/// cores (other tests run alongside; they only ever add time).
fn fastest(times: &[Duration]) -> Duration {
    times.iter().min().copied().unwrap_or_default()
}

#[tokio::test]
async fn signing_in_takes_as_long_for_an_unknown_address_as_for_a_known_one() -> anyhow::Result<()> {
    let app = TestApp::spawn_with(None, &["--rate-limit", "0", "--auth-rate-limit", "0"]).await?;
    app.customer("ann@example.com").await?;
    let known = json!({ "email": "ann@example.com", "password": "a wrong guess" });
    let unknown = json!({ "email": "nobody@example.com", "password": "a wrong guess" });
    let (mut known_times, mut unknown_times) = (Vec::new(), Vec::new());
    // Interleaved, so load from other tests falls on both alike; within each address's
    // burst of attempts.
    for _ in 0..18 {
        for (body, times) in [(&known, &mut known_times), (&unknown, &mut unknown_times)] {
            let started = Instant::now();
            let answer = app.post("/api/v1/users/login", None, body).await?;
            times.push(started.elapsed());
            assert_eq!(answer.status, 401, "{answer}");
            assert_eq!(answer.error_codes(), vec!["auth.invalid_credentials"]);
        }
    }
    let (known, unknown) = (fastest(&known_times), fastest(&unknown_times));
    let ratio = unknown.as_secs_f64() / known.as_secs_f64();
    // Without the dummy hash an unknown address answers in a twentieth of the time
    // (no Argon2 at all); the bounds leave room for noise, not for that.
    assert!((0.5..=2.0).contains(&ratio), "unknown {unknown:?} vs known {known:?} (ratio {ratio:.2})");
    Ok(())
}
