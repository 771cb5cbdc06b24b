//! `emporium serve --sms twilio` sends an SMS campaign through Twilio's Messages API
//! (here a local fake answering as Twilio documents: `201` with a queued message), with
//! basic auth, the E.164 number, the sender and the text; a refusing Twilio leaves the
//! message retrying, not lost; and `--sms twilio` without its credentials is refused.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use base64::Engine;
use emporium_tests::app::{TestApp, binary};
// The fake's HTTP server answers whatever its responder says; here, as Twilio.
use emporium_tests::fake_stripe::{FakeStripe, Recorded, Responder};
use serde_json::json;

const SID: &str = "AC00000000000000000000000000000001";
const TOKEN: &str = "twilio-auth-token-for-tests";
const FROM: &str = "+15005550006";
const MESSAGES: &str = "/2010-04-01/Accounts/AC00000000000000000000000000000001/Messages.json";

/// Twilio's answer to a created message, or a 503 while `down` is set.
fn twilio(down: Arc<AtomicBool>) -> Responder {
    Arc::new(move |request: &Recorded| {
        if down.load(Ordering::SeqCst) {
            return (503, json!({ "code": 20500, "message": "Service unavailable", "status": 503 }).to_string());
        }
        let body = json!({
            "sid": "SM00000000000000000000000000000001", "status": "queued",
            "to": request.field("To"), "from": request.field("From"), "body": request.field("Body"),
        });
        (201, body.to_string())
    })
}

async fn shop_with_twilio(fake: &FakeStripe) -> TestApp {
    let flags = ["--sms", "twilio", "--twilio-account-sid", SID, "--twilio-auth-token", TOKEN];
    let mut all: Vec<&str> = flags.to_vec();
    all.extend(["--twilio-from", FROM, "--twilio-api-base", &fake.base_url]);
    TestApp::spawn_with(None, &all).await.unwrap()
}

async fn opted_in_customer(app: &TestApp, email: &str, phone: &str) {
    let (_, token) = app.customer(email).await.unwrap();
    let body = json!({ "marketing_opt_in": true, "phone": phone });
    let changed = app.put("/api/v1/users/profile", Some(&token), &body).await.unwrap();
    assert_eq!(changed.status, 200, "{changed}");
}

async fn messages_sent(fake: &FakeStripe, count: usize) -> Vec<Recorded> {
    for _ in 0..150 {
        let sent = fake.calls("POST", MESSAGES);
        if sent.len() >= count {
            return sent;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    fake.calls("POST", MESSAGES)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sms_campaign_goes_through_twilios_messages_api() {
    let fake = FakeStripe::start(twilio(Arc::new(AtomicBool::new(false)))).await.unwrap();
    let app = shop_with_twilio(&fake).await;
    opted_in_customer(&app, "ann@example.com", "+44 20 7946 0958").await;
    let admin = app.admin_token().await.unwrap();
    let sent =
        app.post("/api/v1/notifications/sms", Some(&admin), &json!({ "body": "Flash sale today!" })).await.unwrap();
    assert_eq!(sent.status, 202, "{sent}");

    let messages = messages_sent(&fake, 1).await;
    assert_eq!(messages.len(), 1, "{messages:?}");
    let message = &messages[0];
    assert_eq!(message.field("To"), Some("+442079460958"));
    assert_eq!(message.field("From"), Some(FROM));
    assert!(message.field("Body").unwrap_or_default().contains("Flash sale today!"), "{message:?}");
    let credentials = base64::engine::general_purpose::STANDARD.encode(format!("{SID}:{TOKEN}"));
    assert_eq!(message.header("authorization"), Some(format!("Basic {credentials}").as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sms_that_twilio_refuses_for_a_while_is_retried_and_sent_once() {
    let down = Arc::new(AtomicBool::new(true));
    let fake = FakeStripe::start(twilio(down.clone())).await.unwrap();
    let app = shop_with_twilio(&fake).await;
    opted_in_customer(&app, "bob@example.com", "+1 415 555 0100").await;
    let admin = app.admin_token().await.unwrap();
    let sent = app.post("/api/v1/notifications/sms", Some(&admin), &json!({ "body": "Back soon" })).await.unwrap();
    assert_eq!(sent.status, 202, "{sent}");
    assert!(!messages_sent(&fake, 1).await.is_empty(), "a first attempt reached Twilio");
    down.store(false, Ordering::SeqCst);

    // Retried with backoff until Twilio takes it; then never again.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let accepted = loop {
        let attempts = fake.calls("POST", MESSAGES).len();
        if attempts >= 2 {
            break attempts;
        }
        assert!(tokio::time::Instant::now() < deadline, "no retry reached Twilio");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(fake.calls("POST", MESSAGES).len(), accepted, "sent once accepted");
}

#[test]
fn sms_twilio_without_credentials_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(binary().unwrap())
        .args(["serve", "--port", "0", "--sms", "twilio", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--twilio-account-sid"), "{stderr}");
}
