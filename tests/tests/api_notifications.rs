//! Notifications over HTTP, end to end through the real `emporium serve` with its
//! notification dispatcher: a new customer is welcomed, a staff campaign reaches
//! only customers who opted in (by e-mail and by SMS), its unsubscribe link opts
//! the customer out, each customer reads their own delivery history and nobody
//! else's, and bad input gets a 4xx in the envelope.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use emporium_tests::app::{ApiResponse, TestApp};
use reqwest::Method;
use serde_json::{Value, json};

/// The `.eml` files to `email` whose subject is `subject`, waiting up to 10 s for `n` of them.
async fn mails(app: &TestApp, email: &str, subject: &str, n: usize) -> Vec<String> {
    for _ in 0..100 {
        let found: Vec<String> = app
            .mail()
            .unwrap()
            .into_iter()
            .filter(|m| m.contains(&format!("To: {email}\r\n")) && m.contains(&format!("Subject: {subject}\r\n")))
            .collect();
        if found.len() >= n {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{n} mail(s) {subject:?} to {email} never came")
}

/// The path and query of the unsubscribe link in a message (its host is the
/// configured public URL, which a test on port 0 cannot rely on).
fn unsubscribe_path(mail: &str) -> String {
    let start = mail.find("/api/v1/notifications/unsubscribe?token=").expect("an unsubscribe link");
    mail[start..].chars().take_while(|c| !c.is_whitespace() && *c != '"' && *c != '<').collect()
}

/// The caller's history, after `position`, waiting up to 10 s until `ready` holds.
async fn history(
    app: &TestApp,
    token: &str,
    customer: &str,
    position: u64,
    ready: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    for _ in 0..100 {
        let response =
            app.get_after(&format!("/api/v1/notifications/{customer}/history"), Some(token), position).await.unwrap();
        assert_eq!(response.status, 200, "{response}");
        let items = response.data()["items"].as_array().unwrap().clone();
        if ready(&items) {
            return items;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the history of {customer} never got ready")
}

fn of_kind<'a>(items: &'a [Value], kind: &str) -> Vec<&'a Value> {
    items.iter().filter(|i| i["kind"] == kind).collect()
}

fn assert_refused(response: &ApiResponse, status: u16, code: &str) {
    assert_eq!(response.status, status, "{response}");
    assert!(response.is_envelope(), "{response}");
    assert!(response.error_codes().iter().any(|c| c == code), "expected {code}: {response}");
}

async fn opt_in(app: &TestApp, token: &str, phone: Option<&str>) -> u64 {
    let mut body = json!({ "marketing_opt_in": true });
    if let Some(phone) = phone {
        body["phone"] = json!(phone);
    }
    let changed = app.put("/api/v1/users/profile", Some(token), &body).await.unwrap();
    assert_eq!(changed.status, 200, "{changed}");
    changed.position()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_customer_is_welcomed_and_reads_it_in_their_history() {
    let app = TestApp::spawn().await.unwrap();
    let (ann, token) = app.customer("ann@example.com").await.unwrap();
    let welcome = mails(&app, "ann@example.com", "Welcome to Emporium, Test Customer", 1).await;
    assert_eq!(welcome.len(), 1);
    assert!(welcome[0].contains("Content-Type: text/html; charset=utf-8\r\n"));
    let items =
        history(&app, &token, &ann, 0, |items| of_kind(items, "welcome").iter().any(|w| w["status"] == "sent")).await;
    let welcome = of_kind(&items, "welcome")[0];
    assert_eq!((welcome["channel"].as_str(), welcome["attempts"].as_u64()), (Some("email"), Some(1)));
    assert!(welcome["created_at"].is_string() && welcome["sent_at"].is_string());
    assert!(welcome["id"].is_string() && welcome["subject"] == "Welcome to Emporium, Test Customer");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_campaign_reaches_only_customers_who_opted_in_and_its_link_unsubscribes() {
    let app = TestApp::spawn().await.unwrap();
    let admin = app.admin_token().await.unwrap();
    let (ann, ann_token) = app.customer("ann@example.com").await.unwrap();
    let (_bob, _) = app.customer("bob@example.com").await.unwrap();
    opt_in(&app, &ann_token, None).await;

    let body = json!({ "subject": "Summer sale", "body": "Everything 20% off.\n\nOnly <today> & tomorrow." });
    let accepted = app.post("/api/v1/notifications/email", Some(&admin), &body).await.unwrap();
    assert_eq!(accepted.status, 202, "{accepted}");
    assert_eq!(accepted.data()["queued"], 1, "only Ann opted in: {accepted}");
    assert_eq!(
        (accepted.data()["status"].as_str(), accepted.data()["channel"].as_str()),
        (Some("dispatched"), Some("email"))
    );
    assert!(accepted.position() > 0);

    let promotion = mails(&app, "ann@example.com", "Summer sale", 1).await.remove(0);
    assert!(promotion.contains("Everything 20% off."));
    assert!(promotion.contains("Only &lt;today&gt; &amp; tomorrow."), "HTML is escaped");
    let items = history(&app, &ann_token, &ann, accepted.position(), |items| {
        of_kind(items, "promotion").iter().any(|p| p["status"] == "sent")
    })
    .await;
    assert_eq!(of_kind(&items, "promotion")[0]["subject"], "Summer sale");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !app.mail()
            .unwrap()
            .iter()
            .any(|m| m.contains("To: bob@example.com\r\n") && m.contains("Subject: Summer sale\r\n")),
        "Bob did not opt in"
    );

    // Following the link (as a mail scanner does) only shows a page that asks.
    let link = unsubscribe_path(&promotion);
    let page = app.send(Method::GET, &link, None, None, &[("Accept", "text/html")]).await.unwrap();
    assert_eq!(page.status, 200, "{page}");
    assert!(page.text.contains("<form method=\"post\""), "{page}");
    assert!(page.header("content-security-policy").is_some_and(|p| p.contains("default-src 'none'")));
    let profile = app.get_after("/api/v1/users/profile", Some(&ann_token), accepted.position()).await.unwrap();
    assert_eq!(profile.data()["marketing_opt_in"], true, "a GET unsubscribed: {profile}");
    // Its button (or a mail client's one-click POST) opts Ann out; again changes nothing.
    let unsubscribed = app.request(Method::POST, &link, None, None).await.unwrap();
    assert_eq!(unsubscribed.status, 200, "{unsubscribed}");
    assert_eq!(unsubscribed.data()["unsubscribed"], true);
    let again = app.request(Method::POST, &link, None, None).await.unwrap();
    assert_eq!((again.status, again.position()), (200, unsubscribed.position()), "{again}");
    let profile = app.get_after("/api/v1/users/profile", Some(&ann_token), unsubscribed.position()).await.unwrap();
    assert_eq!(profile.data()["marketing_opt_in"], false, "{profile}");

    let next = app
        .post("/api/v1/notifications/email", Some(&admin), &json!({ "subject": "Autumn sale", "body": "More." }))
        .await
        .unwrap();
    assert_eq!((next.status, next.data()["queued"].as_u64()), (202, Some(0)), "{next}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sms_campaign_reaches_customers_who_opted_in_with_a_phone() {
    let app = TestApp::spawn().await.unwrap();
    let admin = app.admin_token().await.unwrap();
    let (ann, ann_token) = app.customer("ann@example.com").await.unwrap();
    let (_cat, cat_token) = app.customer("cat@example.com").await.unwrap();
    opt_in(&app, &ann_token, Some("+44 20 7946 0958")).await;
    opt_in(&app, &cat_token, None).await;

    let accepted =
        app.post("/api/v1/notifications/sms", Some(&admin), &json!({ "body": "Flash sale today!" })).await.unwrap();
    assert_eq!(accepted.status, 202, "{accepted}");
    assert_eq!((accepted.data()["queued"].as_u64(), accepted.data()["channel"].as_str()), (Some(1), Some("sms")));
    let items = history(&app, &ann_token, &ann, accepted.position(), |items| {
        items.iter().any(|i| i["channel"] == "sms" && i["status"] == "sent")
    })
    .await;
    let sms = items.iter().find(|i| i["channel"] == "sms").unwrap();
    assert_eq!((sms["kind"].as_str(), sms["subject"].as_str()), (Some("promotion"), Some("Flash sale today!")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_staff_send_campaigns_and_bad_campaigns_are_refused() {
    let app = TestApp::spawn().await.unwrap();
    let admin = app.admin_token().await.unwrap();
    let (_ann, ann_token) = app.customer("ann@example.com").await.unwrap();
    let good = json!({ "subject": "Sale", "body": "20% off" });

    assert_refused(&app.post("/api/v1/notifications/email", None, &good).await.unwrap(), 401, "auth.unauthorized");
    assert_refused(
        &app.post("/api/v1/notifications/email", Some(&ann_token), &good).await.unwrap(),
        403,
        "auth.forbidden",
    );
    assert_refused(
        &app.post("/api/v1/notifications/sms", Some(&ann_token), &json!({ "body": "x" })).await.unwrap(),
        403,
        "auth.forbidden",
    );

    let bad = app
        .post("/api/v1/notifications/email", Some(&admin), &json!({ "subject": " ", "body": "x".repeat(20_001) }))
        .await
        .unwrap();
    assert_eq!(bad.status, 400, "{bad}");
    assert_eq!(bad.error_fields(), ["subject", "body"]);
    let injected = app
        .post("/api/v1/notifications/email", Some(&admin), &json!({ "subject": "Hi\r\nBcc: x@y.z", "body": "x" }))
        .await
        .unwrap();
    assert_eq!(injected.error_fields(), ["subject"], "{injected}");
    let unknown =
        app.post("/api/v1/notifications/sms", Some(&admin), &json!({ "body": "x", "subject": "y" })).await.unwrap();
    assert_eq!(unknown.status, 400, "{unknown}");
    let long_sms =
        app.post("/api/v1/notifications/sms", Some(&admin), &json!({ "body": "x".repeat(1_201) })).await.unwrap();
    assert_eq!(long_sms.error_fields(), ["body"], "{long_sms}");
    let missing = app.post("/api/v1/notifications/email", Some(&admin), &json!({ "body": "x" })).await.unwrap();
    assert_eq!(missing.status, 400, "{missing}");
    let text = app
        .send_raw(Method::POST, "/api/v1/notifications/email", Some(&admin), "text/plain", b"hello".to_vec())
        .await
        .unwrap();
    assert_eq!(text.status, 415, "{text}");
    let malformed = app
        .send_raw(
            Method::POST,
            "/api/v1/notifications/email",
            Some(&admin),
            "application/json",
            b"{\"subject\":".to_vec(),
        )
        .await
        .unwrap();
    assert_eq!(malformed.status, 400, "{malformed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_history_is_its_owner_s_and_staff_s_only() {
    let app = TestApp::spawn().await.unwrap();
    let admin = app.admin_token().await.unwrap();
    let (ann, ann_token) = app.customer("ann@example.com").await.unwrap();
    let (_bob, bob_token) = app.customer("bob@example.com").await.unwrap();
    let path = format!("/api/v1/notifications/{ann}/history");

    assert_eq!(app.get(&path, Some(&ann_token)).await.unwrap().status, 200);
    let as_staff = app.get(&path, Some(&admin)).await.unwrap();
    assert_eq!(as_staff.status, 200, "{as_staff}");
    assert!(as_staff.data()["total"].is_u64() && as_staff.data()["page"] == 1);
    assert_refused(&app.get(&path, Some(&bob_token)).await.unwrap(), 404, "user.not_found");
    assert_refused(
        &app.get("/api/v1/notifications/not-a-uuid/history", Some(&ann_token)).await.unwrap(),
        404,
        "user.not_found",
    );
    assert_refused(&app.get(&path, None).await.unwrap(), 401, "auth.unauthorized");
    let filtered = app.get(&format!("{path}?status=lost&channel=fax&page_size=0"), Some(&ann_token)).await.unwrap();
    assert_eq!(filtered.status, 400, "{filtered}");
    let mut fields = filtered.error_fields();
    fields.sort();
    assert_eq!(fields, ["channel", "page_size", "status"]);
    let welcome_only = history(&app, &ann_token, &ann, 0, |items| !items.is_empty()).await;
    assert!(welcome_only.iter().all(|i| i["kind"] == "welcome"), "{welcome_only:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsubscribe_links_without_a_genuine_token_are_refused() {
    let app = TestApp::spawn().await.unwrap();
    assert_refused(&app.get("/api/v1/notifications/unsubscribe", None).await.unwrap(), 400, "validation.required");
    let forged = app
        .get("/api/v1/notifications/unsubscribe?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", None)
        .await
        .unwrap();
    assert_refused(&forged, 400, "notification.invalid_token");
    let garbage =
        app.request(Method::POST, "/api/v1/notifications/unsubscribe?token=%3Cscript%3E", None, None).await.unwrap();
    assert_refused(&garbage, 400, "notification.invalid_token");
}
