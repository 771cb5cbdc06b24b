//! The Stripe adapter: webhook signatures are verified exactly as Stripe documents
//! (vectors computed here with hmac/sha2 per the spec), and the HTTP adapter speaks
//! Stripe's API (bearer key, idempotency keys, form bodies) to a fake Stripe server
//! started on 127.0.0.1:0, mapping its answers onto the port's results.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use emporium_domain::money::{Currency, Money};
use emporium_infra::payments::stripe::{StripeConfig, StripeGateway};
use emporium_infra::payments::webhook::{
    DEFAULT_TOLERANCE, StripeEventKind, WebhookError, parse_stripe_event, verify_stripe_signature,
};
use emporium_infra::payments::{AuthorizeRequest, GatewayError, MethodDetails, PaymentGateway};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
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

#[derive(Debug, Clone)]
struct Recorded {
    method: String,
    path: String,
    headers: HashMap<String, String>,
    form: HashMap<String, String>,
}

type Responder = Arc<dyn Fn(&Recorded) -> (u16, String) + Send + Sync>;

struct FakeStripe {
    base_url: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

impl FakeStripe {
    fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

fn parse_form(body: &str) -> HashMap<String, String> {
    body.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(key), decode(value))
        })
        .collect()
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// A minimal HTTP/1.1 server: one request per connection, answered by `respond`.
async fn fake_stripe(respond: Responder) -> FakeStripe {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let recorded = requests.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else { return };
            let recorded = recorded.clone();
            let respond = respond.clone();
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                let mut chunk = [0u8; 4096];
                let head_end = loop {
                    let read = socket.read(&mut chunk).await.unwrap();
                    if read == 0 {
                        return;
                    }
                    buffer.extend_from_slice(&chunk[..read]);
                    if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                        break at;
                    }
                };
                let head = String::from_utf8(buffer[..head_end].to_vec()).unwrap();
                let mut lines = head.split("\r\n");
                let mut start = lines.next().unwrap().split(' ');
                let method = start.next().unwrap().to_owned();
                let path = start.next().unwrap().to_owned();
                let headers: HashMap<String, String> = lines
                    .filter_map(|line| line.split_once(':'))
                    .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
                    .collect();
                let length: usize = headers.get("content-length").map_or(0, |v| v.parse().unwrap());
                let mut body = buffer[head_end + 4..].to_vec();
                while body.len() < length {
                    let read = socket.read(&mut chunk).await.unwrap();
                    if read == 0 {
                        break;
                    }
                    body.extend_from_slice(&chunk[..read]);
                }
                let request = Recorded { method, path, headers, form: parse_form(&String::from_utf8(body).unwrap()) };
                recorded.lock().unwrap().push(request.clone());
                let (status, body) = respond(&request);
                let response = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    FakeStripe { base_url, requests }
}

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

/// Behaves like Stripe test mode for the few ids the tests use.
fn stripe_like() -> Responder {
    Arc::new(|request: &Recorded| {
        let method = request.form.get("payment_method").map(String::as_str);
        match (request.method.as_str(), request.path.as_str(), method) {
            ("POST", "/v1/payment_intents", Some("pm_card_visa")) => {
                (200, r#"{"id":"pi_123","object":"payment_intent","status":"requires_capture"}"#.to_owned())
            }
            ("POST", "/v1/payment_intents", Some("pm_card_chargeDeclinedInsufficientFunds")) => (
                402,
                r#"{"error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds","message":"Your card has insufficient funds."}}"#
                    .to_owned(),
            ),
            ("POST", "/v1/payment_intents", Some("pm_card_expired")) => (
                402,
                r#"{"error":{"type":"card_error","code":"expired_card","message":"Your card has expired."}}"#.to_owned(),
            ),
            ("POST", "/v1/payment_intents", _) => (
                400,
                r#"{"error":{"type":"invalid_request_error","code":"resource_missing","param":"payment_method","message":"No such PaymentMethod: 'pm_nope'"}}"#
                    .to_owned(),
            ),
            ("POST", "/v1/payment_intents/pi_123/capture", _) => {
                (200, r#"{"id":"pi_123","object":"payment_intent","status":"succeeded"}"#.to_owned())
            }
            ("POST", "/v1/payment_intents/pi_done/capture", _) => (
                400,
                r#"{"error":{"type":"invalid_request_error","code":"payment_intent_unexpected_state","message":"This PaymentIntent could not be captured because it has a status of succeeded."}}"#
                    .to_owned(),
            ),
            ("POST", "/v1/refunds", _) => (200, r#"{"id":"re_456","object":"refund","status":"succeeded"}"#.to_owned()),
            ("GET", "/v1/payment_methods/pm_card_visa", _) => (
                200,
                r#"{"id":"pm_card_visa","object":"payment_method","type":"card","card":{"brand":"visa","last4":"4242"}}"#
                    .to_owned(),
            ),
            ("GET", _, _) => (
                404,
                r#"{"error":{"type":"invalid_request_error","code":"resource_missing","param":"id","message":"No such PaymentMethod"}}"#
                    .to_owned(),
            ),
            _ => (500, r#"{"error":{"type":"api_error","message":"boom"}}"#.to_owned()),
        }
    })
}

#[tokio::test]
async fn authorize_capture_refund_and_describe_speak_stripes_api() {
    let fake = fake_stripe(stripe_like()).await;
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
async fn card_errors_are_declines_with_the_decline_code() {
    let fake = fake_stripe(stripe_like()).await;
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
    let fake = fake_stripe(stripe_like()).await;
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
    let fake =
        fake_stripe(Arc::new(|_: &Recorded| (500, r#"{"error":{"type":"api_error","message":"boom"}}"#.to_owned())))
            .await;
    let error = gateway(&fake.base_url).authorize(&charge("k1", "pm_card_visa")).await.unwrap_err();
    assert!(matches!(error, GatewayError::Unavailable(_)), "{error:?}");
    assert!(error.is_transient());

    let fake = fake_stripe(Arc::new(|_: &Recorded| {
        (429, r#"{"error":{"type":"invalid_request_error","code":"rate_limit"}}"#.to_owned())
    }))
    .await;
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
