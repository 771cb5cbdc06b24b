//! The Stripe adapter: webhook signatures are verified exactly as Stripe documents
//! (vectors computed here with hmac/sha2 per the spec), and the HTTP adapter speaks
//! Stripe's API (bearer key, idempotency keys, form bodies) to a fake Stripe server
//! (`emporium_tests::fake_stripe`) started on 127.0.0.1:0, mapping its answers onto
//! the port's results.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use emporium_domain::money::{Currency, Money};
use emporium_infra::payments::stripe::{StripeConfig, StripeGateway};
use emporium_infra::payments::webhook::{
    DEFAULT_TOLERANCE, StripeEventKind, WebhookError, parse_stripe_event, verify_stripe_signature,
};
use emporium_infra::payments::{AuthorizeRequest, GatewayError, MethodDetails, PaymentGateway};
use emporium_tests::fake_stripe::{FakeStripe, Recorded, stripe_like};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::net::TcpListener;

// ---------------------------------------------------------------- signatures

const SECRET: &str = "whsec_test_secret";
const PAYLOAD: &[u8] =
    br#"{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":{"id":"pi_123","status":"succeeded"}}}"#;
const T: i64 = 1_700_000_000;

/// Per the spec: hex(HMAC-SHA256(secret, "{t}.{payload}")).
fn sign(secret: &str, t: i64, payload: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(payload);
    hex::encode(mac.finalize().into_bytes())
}

#[test]
fn a_known_answer_vector_matches_the_spec() {
    // Computed independently (Python: hmac.new(b"whsec_test_secret",
    // b'1700000000.{"id":"evt_1"}', sha256).hexdigest()).
    let expected = "248a374f50f943a28b0f6ab50faf9a7e7e29b710fa26df9fb1618b9bf8ea9c9a";
    assert_eq!(sign(SECRET, T, br#"{"id":"evt_1"}"#), expected);
    let header = format!("t={T},v1={expected}");
    assert_eq!(verify_stripe_signature(br#"{"id":"evt_1"}"#, &header, SECRET, DEFAULT_TOLERANCE, T), Ok(()));
}

#[test]
fn a_valid_signature_passes() {
    let header = format!("t={T},v1={}", sign(SECRET, T, PAYLOAD));
    assert_eq!(verify_stripe_signature(PAYLOAD, &header, SECRET, DEFAULT_TOLERANCE, T + 10), Ok(()));
}

#[test]
fn a_tampered_payload_is_refused() {
    let header = format!("t={T},v1={}", sign(SECRET, T, PAYLOAD));
    let tampered = String::from_utf8(PAYLOAD.to_vec()).unwrap().replace("pi_123", "pi_999");
    assert_eq!(
        verify_stripe_signature(tampered.as_bytes(), &header, SECRET, DEFAULT_TOLERANCE, T),
        Err(WebhookError::NoMatchingSignature)
    );
}

#[test]
fn a_tampered_timestamp_is_refused() {
    let header = format!("t={},v1={}", T + 1, sign(SECRET, T, PAYLOAD));
    assert_eq!(
        verify_stripe_signature(PAYLOAD, &header, SECRET, DEFAULT_TOLERANCE, T),
        Err(WebhookError::NoMatchingSignature)
    );
}

#[test]
fn a_wrong_secret_is_refused() {
    let header = format!("t={T},v1={}", sign("whsec_other", T, PAYLOAD));
    assert_eq!(
        verify_stripe_signature(PAYLOAD, &header, SECRET, DEFAULT_TOLERANCE, T),
        Err(WebhookError::NoMatchingSignature)
    );
}

#[test]
fn timestamps_outside_the_tolerance_are_refused_both_ways() {
    let header = format!("t={T},v1={}", sign(SECRET, T, PAYLOAD));
    assert_eq!(verify_stripe_signature(PAYLOAD, &header, SECRET, DEFAULT_TOLERANCE, T + 300), Ok(()));
    assert_eq!(
        verify_stripe_signature(PAYLOAD, &header, SECRET, DEFAULT_TOLERANCE, T + 301),
        Err(WebhookError::TimestampOutsideTolerance)
    );
    assert_eq!(
        verify_stripe_signature(PAYLOAD, &header, SECRET, DEFAULT_TOLERANCE, T - 301),
        Err(WebhookError::TimestampOutsideTolerance)
    );
    assert_eq!(
        verify_stripe_signature(PAYLOAD, &header, SECRET, Duration::from_secs(10), T + 11),
        Err(WebhookError::TimestampOutsideTolerance)
    );
}

#[test]
fn any_one_of_several_v1_signatures_suffices() {
    let good = sign(SECRET, T, PAYLOAD);
    let old = sign("whsec_rotated_out", T, PAYLOAD);
    let header = format!("t={T},v1={old},v0={good},v1=nothex,v1={good}");
    assert_eq!(verify_stripe_signature(PAYLOAD, &header, SECRET, DEFAULT_TOLERANCE, T), Ok(()));
    let header = format!("t={T}, v1={old}, v1={}", sign("whsec_x", T, PAYLOAD));
    assert_eq!(
        verify_stripe_signature(PAYLOAD, &header, SECRET, DEFAULT_TOLERANCE, T),
        Err(WebhookError::NoMatchingSignature)
    );
}

#[test]
fn v0_only_or_a_missing_timestamp_is_refused() {
    let good = sign(SECRET, T, PAYLOAD);
    assert_eq!(
        verify_stripe_signature(PAYLOAD, &format!("t={T},v0={good}"), SECRET, DEFAULT_TOLERANCE, T),
        Err(WebhookError::NoSignatures)
    );
    assert_eq!(
        verify_stripe_signature(PAYLOAD, &format!("v1={good}"), SECRET, DEFAULT_TOLERANCE, T),
        Err(WebhookError::MissingTimestamp)
    );
    assert_eq!(
        verify_stripe_signature(PAYLOAD, &format!("t=soon,v1={good}"), SECRET, DEFAULT_TOLERANCE, T),
        Err(WebhookError::MissingTimestamp)
    );
    assert_eq!(verify_stripe_signature(PAYLOAD, "", SECRET, DEFAULT_TOLERANCE, T), Err(WebhookError::MissingTimestamp));
}

#[test]
fn events_parse_into_type_object_id_and_status() {
    let event = parse_stripe_event(PAYLOAD).unwrap();
    assert_eq!(event.id.as_deref(), Some("evt_1"));
    assert_eq!(event.event_type, "payment_intent.succeeded");
    assert_eq!(event.kind, StripeEventKind::PaymentIntentSucceeded);
    assert_eq!(event.object_id, "pi_123");
    assert_eq!(event.object_status.as_deref(), Some("succeeded"));
    assert_eq!(event.payment_reference, None);

    let ours = parse_stripe_event(
        br#"{"id":"evt_2","type":"payment_intent.canceled","data":{"object":{"id":"pi_9","metadata":{"emporium_payment_id":"p-1"}}}}"#,
    )
    .unwrap();
    assert_eq!(ours.payment_reference.as_deref(), Some("p-1"));

    let other = parse_stripe_event(br#"{"type":"customer.created","data":{"object":{"id":"cus_1"}}}"#).unwrap();
    assert_eq!(other.kind, StripeEventKind::Other("customer.created".to_owned()));
    assert_eq!(other.object_status, None);

    assert!(matches!(parse_stripe_event(b"{\"type\":1}"), Err(WebhookError::MalformedEvent(_))));
    assert!(matches!(parse_stripe_event(b"not json"), Err(WebhookError::MalformedEvent(_))));
}

// ---------------------------------------------------------------- fake Stripe

const KEY: &str = "sk_test_fake_secret_123";

fn gateway(base_url: &str) -> StripeGateway {
    StripeGateway::new(StripeConfig {
        secret_key: KEY.to_owned(),
        base_url: base_url.to_owned(),
        timeout: Duration::from_secs(5),
    })
    .unwrap()
}

fn eur(amount: i64) -> Money {
    Money::new(amount, Currency::parse("EUR").unwrap()).unwrap()
}

fn charge(key: &str, token: &str) -> AuthorizeRequest {
    AuthorizeRequest {
        idempotency_key: key.to_owned(),
        amount: eur(2599),
        method_token: token.to_owned(),
        description: "order 42 & co".to_owned(),
        payment_reference: "0190b7e2-51a1-7c3e-9d4f-2a6b8c0d1e2f".to_owned(),
    }
}

#[tokio::test]
async fn authorize_capture_refund_and_describe_speak_stripes_api() {
    let fake = FakeStripe::start(stripe_like()).await.unwrap();
    let gateway = gateway(&fake.base_url);
    assert_eq!(gateway.name(), "stripe");

    let authorization = gateway.authorize(&charge("auth-key-1", "pm_card_visa")).await.unwrap();
    assert_eq!(authorization.provider_reference, "pi_123");
    gateway.capture("capture-key-1", "pi_123", &eur(2000)).await.unwrap();
    let receipt = gateway.refund("refund-key-1", "pi_123", &eur(500)).await.unwrap();
    assert_eq!(receipt.refund_id, "re_456");
    let details = gateway.describe_method("pm_card_visa").await.unwrap();
    assert_eq!(details, MethodDetails { brand: "visa".to_owned(), last4: "4242".to_owned() });

    let requests = fake.requests();
    assert_eq!(requests.len(), 4);
    for request in &requests {
        assert_eq!(request.headers.get("authorization").unwrap(), &format!("Bearer {KEY}"));
    }

    let auth = &requests[0];
    assert_eq!((auth.method.as_str(), auth.path.as_str()), ("POST", "/v1/payment_intents"));
    assert_eq!(auth.headers.get("idempotency-key").unwrap(), "auth-key-1");
    assert_eq!(auth.headers.get("content-type").unwrap(), "application/x-www-form-urlencoded");
    assert_eq!(auth.form.get("amount").unwrap(), "2599");
    assert_eq!(auth.form.get("currency").unwrap(), "eur");
    assert_eq!(auth.form.get("payment_method").unwrap(), "pm_card_visa");
    assert_eq!(auth.form.get("confirm").unwrap(), "true");
    assert_eq!(auth.form.get("capture_method").unwrap(), "manual");
    assert_eq!(auth.form.get("description").unwrap(), "order 42 & co");
    // Stripe copies it onto the Charge, where `charge.*` webhooks find the payment.
    assert_eq!(auth.form.get("metadata[emporium_payment_id]").unwrap(), "0190b7e2-51a1-7c3e-9d4f-2a6b8c0d1e2f");

    let capture = &requests[1];
    assert_eq!((capture.method.as_str(), capture.path.as_str()), ("POST", "/v1/payment_intents/pi_123/capture"));
    assert_eq!(capture.headers.get("idempotency-key").unwrap(), "capture-key-1");
    assert_eq!(capture.form.get("amount_to_capture").unwrap(), "2000");

    let refund = &requests[2];
    assert_eq!((refund.method.as_str(), refund.path.as_str()), ("POST", "/v1/refunds"));
    assert_eq!(refund.headers.get("idempotency-key").unwrap(), "refund-key-1");
    assert_eq!(refund.form.get("payment_intent").unwrap(), "pi_123");
    assert_eq!(refund.form.get("amount").unwrap(), "500");

    let describe = &requests[3];
    assert_eq!((describe.method.as_str(), describe.path.as_str()), ("GET", "/v1/payment_methods/pm_card_visa"));
}

#[tokio::test]
async fn the_test_mode_fake_answers_a_whole_payment_like_stripe() {
    let fake = FakeStripe::test_mode().await.unwrap();
    let gateway = gateway(&fake.base_url);

    // Same key, same answer; another key, another PaymentIntent.
    let first = gateway.authorize(&charge("auth-a", "pm_card_visa")).await.unwrap().provider_reference;
    let again = gateway.authorize(&charge("auth-a", "pm_card_visa")).await.unwrap().provider_reference;
    let other = gateway.authorize(&charge("auth-b", "pm_card_mastercard")).await.unwrap().provider_reference;
    assert_eq!(first, again);
    assert_ne!(first, other);
    assert!(first.starts_with("pi_") && other.starts_with("pi_"), "{first} {other}");
    // Reusing a key for a different request is Stripe's idempotency_error.
    let reused = gateway.authorize(&charge("auth-a", "pm_card_mastercard")).await.unwrap_err();
    assert!(matches!(&reused, GatewayError::Rejected(message) if message.contains("idempotency_error")), "{reused:?}");
    assert_eq!(
        gateway.authorize(&charge("auth-c", "pm_card_chargeDeclined")).await,
        Err(GatewayError::Declined { reason: "generic_decline".to_owned() })
    );

    gateway.capture("capture-a", &first, &eur(2599)).await.unwrap();
    // A capture repeated under a new key (as after Stripe forgot the first key) finds
    // the intent already succeeded with that amount: done, not refused.
    gateway.capture("capture-a2", &first, &eur(2599)).await.unwrap();
    let other_amount = gateway.capture("capture-a3", &first, &eur(2000)).await.unwrap_err();
    assert!(matches!(&other_amount, GatewayError::Rejected(m) if m.contains("unexpected_state")), "{other_amount:?}");
    let part = gateway.refund("refund-a1", &first, &eur(599)).await.unwrap().refund_id;
    let rest = gateway.refund("refund-a2", &first, &eur(2000)).await.unwrap().refund_id;
    assert!(part.starts_with("re_") && rest.starts_with("re_") && part != rest, "{part} {rest}");
    assert!(matches!(gateway.refund("refund-a3", &first, &eur(1)).await, Err(GatewayError::Rejected(_))));

    gateway.void("void-b", &other).await.unwrap();
    assert!(matches!(gateway.capture("capture-b", &other, &eur(2599)).await, Err(GatewayError::Rejected(_))));
    assert!(matches!(gateway.refund("refund-b", &other, &eur(1)).await, Err(GatewayError::Rejected(_))));

    let described = [
        ("pm_card_visa", "visa", "4242"),
        ("pm_card_mastercard", "mastercard", "4444"),
        ("pm_card_chargeDeclined", "visa", "0002"),
    ];
    for (token, brand, last4) in described {
        let details = gateway.describe_method(token).await.unwrap();
        assert_eq!(details, MethodDetails { brand: brand.to_owned(), last4: last4.to_owned() }, "{token}");
    }
    assert_eq!(gateway.describe_method("pm_nope").await, Err(GatewayError::InvalidMethod));
    let cancels = fake.requests().into_iter().filter(|r| r.path.ends_with("/cancel")).collect::<Vec<_>>();
    assert_eq!(cancels.len(), 1);
    assert_eq!(cancels[0].path, format!("/v1/payment_intents/{other}/cancel"));
    assert_eq!(cancels[0].header("Idempotency-Key"), Some("void-b"));
}

#[tokio::test]
async fn card_errors_are_declines_with_the_decline_code() {
    let fake = FakeStripe::start(stripe_like()).await.unwrap();
    let gateway = gateway(&fake.base_url);
    assert_eq!(
        gateway.authorize(&charge("k1", "pm_card_chargeDeclinedInsufficientFunds")).await,
        Err(GatewayError::Declined { reason: "insufficient_funds".to_owned() })
    );
    assert_eq!(
        gateway.authorize(&charge("k2", "pm_card_expired")).await,
        Err(GatewayError::Declined { reason: "expired_card".to_owned() })
    );
}

#[tokio::test]
async fn unknown_methods_are_invalid_and_other_4xx_are_rejected() {
    let fake = FakeStripe::start(stripe_like()).await.unwrap();
    let gateway = gateway(&fake.base_url);
    assert_eq!(gateway.authorize(&charge("k1", "pm_nope")).await, Err(GatewayError::InvalidMethod));
    assert_eq!(gateway.describe_method("pm_nope").await, Err(GatewayError::InvalidMethod));
    // Never reaches the server: not a Stripe id.
    assert_eq!(gateway.describe_method("../v1/charges").await, Err(GatewayError::InvalidMethod));
    let error = gateway.capture("k2", "pi_done", &eur(1)).await.unwrap_err();
    assert!(matches!(&error, GatewayError::Rejected(message) if message.contains("payment_intent_unexpected_state")));
    assert!(!error.is_transient());
}

#[tokio::test]
async fn server_errors_timeouts_and_refused_connections_are_unavailable() {
    let fake = FakeStripe::start(Arc::new(|_: &Recorded| {
        (500, r#"{"error":{"type":"api_error","message":"boom"}}"#.to_owned())
    }))
    .await
    .unwrap();
    let error = gateway(&fake.base_url).authorize(&charge("k1", "pm_card_visa")).await.unwrap_err();
    assert!(matches!(error, GatewayError::Unavailable(_)), "{error:?}");
    assert!(error.is_transient());

    let fake = FakeStripe::start(Arc::new(|_: &Recorded| {
        (429, r#"{"error":{"type":"invalid_request_error","code":"rate_limit"}}"#.to_owned())
    }))
    .await
    .unwrap();
    let error = gateway(&fake.base_url).capture("k2", "pi_123", &eur(1)).await.unwrap_err();
    assert!(matches!(error, GatewayError::Unavailable(_)), "{error:?}");

    // Accepts and never answers.
    let silent = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_url = format!("http://{}", silent.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });
    let slow = StripeGateway::new(StripeConfig {
        secret_key: KEY.to_owned(),
        base_url: silent_url,
        timeout: Duration::from_millis(300),
    })
    .unwrap();
    let error = slow.refund("k3", "pi_123", &eur(1)).await.unwrap_err();
    assert!(matches!(error, GatewayError::Unavailable(_)), "{error:?}");

    // Nobody listens.
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closed_url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let error = gateway(&closed_url).describe_method("pm_card_visa").await.unwrap_err();
    assert!(matches!(error, GatewayError::Unavailable(_)), "{error:?}");
}

#[test]
fn the_secret_key_is_never_in_debug_output() {
    let config = StripeConfig::new(KEY);
    assert_eq!(config.base_url, "https://api.stripe.com");
    let shown = format!("{config:?} {:?}", StripeGateway::new(config.clone()).unwrap());
    assert!(!shown.contains(KEY), "{shown}");
    assert!(!shown.contains("fake_secret"), "{shown}");
}
