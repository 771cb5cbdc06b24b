//! A fake Stripe API on `127.0.0.1:0`, for the Stripe adapter's tests and for
//! checkouts through the real `emporium serve --payments stripe`.
//!
//! [`FakeStripe::start`] runs a minimal HTTP/1.1 server (one request per connection,
//! `Connection: close`) that records every request ([`Recorded`]: method, path,
//! headers, decoded form body) and answers it with a [`Responder`]. Two responders
//! come with it:
//!
//! - [`stripe_like`]: fixed answers with fixed ids (`pi_123`, `pi_done`, `re_456`),
//!   for adapter tests that assert on exact ids;
//! - [`test_mode`] (what [`FakeStripe::test_mode`] starts): a small stateful Stripe
//!   test mode for whole checkouts. PaymentIntents get unique `pi_…` ids and move
//!   through `requires_capture` → `succeeded` (capture) or `canceled` (cancel);
//!   refunds get unique `re_…` ids and may not exceed what was captured; and a
//!   `POST` repeated with the same `Idempotency-Key` gets the first answer again,
//!   while the same key with other parameters is an `idempotency_error` — as Stripe
//!   does, so a caller that reuses a key for a different call is caught.
//!
//! Both know the same few test PaymentMethods, with the brands and last four digits
//! Stripe documents (docs.stripe.com/testing): `pm_card_visa` (visa 4242),
//! `pm_card_mastercard` (mastercard 4444), `pm_card_chargeDeclined` (visa 0002,
//! declined `generic_decline`) and `pm_card_chargeDeclinedInsufficientFunds` (visa
//! 9995, declined `insufficient_funds`). Any other `pm_…` is an unknown
//! PaymentMethod.
//!
//! The card table is deliberately not taken from the simulated adapter: the fake
//! stands for Stripe itself, so a mistake in our simulation must not be copied into
//! the thing it is checked against.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::Context;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// The largest request head the fake reads before giving up on a connection.
const MAX_HEAD: usize = 64 * 1024;

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// `GET`, `POST`, …
    pub method: String,
    /// The request target as sent, e.g. `/v1/payment_intents/pi_1/capture`.
    pub path: String,
    /// Headers by lower-cased name (the last one wins when a name repeats).
    pub headers: HashMap<String, String>,
    /// The form-encoded body, decoded (`metadata[k]` stays a literal key).
    pub form: HashMap<String, String>,
}

impl Recorded {
    /// A header's value; `name` is matched case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_ascii_lowercase()).map(String::as_str)
    }

    /// A form field's value.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.form.get(name).map(String::as_str)
    }

    /// True when this is `method path`.
    pub fn is(&self, method: &str, path: &str) -> bool {
        self.method == method && self.path == path
    }
}

/// An answer: HTTP status and JSON body.
pub type Reply = (u16, String);

/// Answers a request (called once per request, from the server's tasks).
pub type Responder = Arc<dyn Fn(&Recorded) -> Reply + Send + Sync>;

/// A running fake; the server stops when this is dropped.
#[derive(Debug)]
pub struct FakeStripe {
    /// `http://127.0.0.1:<port>`: the API root to give as `--stripe-api-base`.
    pub base_url: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
    server: JoinHandle<()>,
}

impl FakeStripe {
    /// Starts a fake answering with `respond`.
    pub async fn start(respond: Responder) -> anyhow::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await.context("binding the fake Stripe")?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = requests.clone();
        let server = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let (recorded, respond) = (recorded.clone(), respond.clone());
                tokio::spawn(async move {
                    // A connection that breaks off mid-request gets no answer, as with
                    // any server; the caller sees the transport error.
                    if let Err(error) = serve(socket, &recorded, &respond).await {
                        eprintln!("[fake stripe] dropped a connection: {error:#}");
                    }
                });
            }
        });
        Ok(Self { base_url, requests, server })
    }

    /// Starts a fake in Stripe test mode ([`test_mode`]).
    pub async fn test_mode() -> anyhow::Result<Self> {
        Self::start(test_mode()).await
    }

    /// Every request so far, oldest first.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The requests so far that were `method path`, oldest first.
    pub fn calls(&self, method: &str, path: &str) -> Vec<Recorded> {
        self.requests().into_iter().filter(|request| request.is(method, path)).collect()
    }
}

impl Drop for FakeStripe {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Reads one request from `socket`, records it, and writes `respond`'s answer.
async fn serve(mut socket: TcpStream, recorded: &Mutex<Vec<Recorded>>, respond: &Responder) -> anyhow::Result<()> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|window| window == b"\r\n\r\n") {
            break at;
        }
        anyhow::ensure!(buffer.len() <= MAX_HEAD, "request head over {MAX_HEAD} bytes");
        let read = socket.read(&mut chunk).await?;
        anyhow::ensure!(read > 0, "connection closed before the end of the request head");
        buffer.extend_from_slice(&chunk[..read]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut start = lines.next().unwrap_or_default().split(' ');
    let (Some(method), Some(path)) = (start.next(), start.next()) else {
        anyhow::bail!("malformed request line in {head:?}");
    };
    let headers: HashMap<String, String> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let length: usize = match headers.get("content-length") {
        Some(value) => value.parse().with_context(|| format!("content-length {value:?}"))?,
        None => 0,
    };
    let mut body = buffer[head_end + 4..].to_vec();
    while body.len() < length {
        let read = socket.read(&mut chunk).await?;
        anyhow::ensure!(read > 0, "connection closed after {} of {length} body bytes", body.len());
        body.extend_from_slice(&chunk[..read]);
    }
    let request = Recorded {
        method: method.to_owned(),
        path: path.to_owned(),
        headers,
        form: parse_form(&String::from_utf8_lossy(&body)),
    };
    recorded.lock().unwrap_or_else(PoisonError::into_inner).push(request.clone());
    let (status, body) = respond(&request);
    let response = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    socket.write_all(response.as_bytes()).await?;
    // The client may already have hung up (e.g. it timed out): nothing left to do.
    let _ = socket.shutdown().await;
    Ok(())
}

/// Decodes an `application/x-www-form-urlencoded` body into its fields.
pub fn parse_form(body: &str) -> HashMap<String, String> {
    body.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(key), decode(value))
        })
        .collect()
}

/// Decodes one form-encoded component: `+` is a space, `%XX` a byte. A `%` not
/// followed by two hex digits stays as it is, and bytes that are not UTF-8 become
/// U+FFFD, so a malformed body is still recorded for the test to look at.
pub fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = if bytes[i] == b'%' { bytes.get(i + 1..i + 3).and_then(hex_byte) } else { None };
        match (bytes[i], escaped) {
            (_, Some(byte)) => {
                out.push(byte);
                i += 2;
            }
            (b'+', None) => out.push(b' '),
            (byte, None) => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_byte(digits: &[u8]) -> Option<u8> {
    let high = char::from(*digits.first()?).to_digit(16)?;
    let low = char::from(*digits.get(1)?).to_digit(16)?;
    u8::try_from(high * 16 + low).ok()
}

// ------------------------------------------------------------------ test cards

/// A Stripe test PaymentMethod.
#[derive(Debug, Clone, Copy)]
struct TestCard {
    token: &'static str,
    brand: &'static str,
    last4: &'static str,
    /// `(decline_code, message)` when a charge on it is declined.
    decline: Option<(&'static str, &'static str)>,
}

const TEST_CARDS: &[TestCard] = &[
    TestCard { token: "pm_card_visa", brand: "visa", last4: "4242", decline: None },
    TestCard { token: "pm_card_mastercard", brand: "mastercard", last4: "4444", decline: None },
    TestCard {
        token: "pm_card_chargeDeclined",
        brand: "visa",
        last4: "0002",
        decline: Some(("generic_decline", "Your card was declined.")),
    },
    TestCard {
        token: "pm_card_chargeDeclinedInsufficientFunds",
        brand: "visa",
        last4: "9995",
        decline: Some(("insufficient_funds", "Your card has insufficient funds.")),
    },
];

fn test_card(token: &str) -> Option<&'static TestCard> {
    TEST_CARDS.iter().find(|card| card.token == token)
}

// ------------------------------------------------------------------ answers
// Shaped as Stripe's API answers them, trimmed to the fields the adapter reads
// (plus a few that make a recorded answer readable).

fn reply(status: u16, body: &Value) -> Reply {
    (status, body.to_string())
}

fn intent(id: &str, status: &str) -> Reply {
    reply(200, &json!({ "id": id, "object": "payment_intent", "status": status }))
}

fn refund(id: &str, payment_intent: Option<&str>, amount: Option<i64>) -> Reply {
    let body = json!({
        "id": id, "object": "refund", "status": "succeeded",
        "payment_intent": payment_intent, "amount": amount,
    });
    reply(200, &body)
}

/// A 402 `card_error`; `decline_code` is what Stripe sets for `card_declined`.
fn card_error(code: &str, decline_code: Option<&str>, message: &str) -> Reply {
    let error = json!({ "type": "card_error", "code": code, "decline_code": decline_code, "message": message });
    reply(402, &json!({ "error": error }))
}

/// An `invalid_request_error`: 400 for a bad parameter, 404 for an object missing at
/// the URL (Stripe uses the code `resource_missing` for both).
fn invalid_request(status: u16, code: Option<&str>, param: Option<&str>, message: &str) -> Reply {
    let error = json!({ "type": "invalid_request_error", "code": code, "param": param, "message": message });
    reply(status, &json!({ "error": error }))
}

/// A `payment_method` parameter naming no PaymentMethod.
fn no_such_method(token: &str) -> Reply {
    invalid_request(400, Some("resource_missing"), Some("payment_method"), &format!("No such PaymentMethod: '{token}'"))
}

fn unexpected_state(status: &str, action: &str) -> Reply {
    let message = format!("This PaymentIntent could not be {action} because it has a status of {status}.");
    invalid_request(400, Some("payment_intent_unexpected_state"), None, &message)
}

/// A PaymentIntent id that names none: 404 at the URL, 400 as a parameter.
fn no_such_intent(status: u16, id: &str, param: &str) -> Reply {
    invalid_request(status, Some("resource_missing"), Some(param), &format!("No such payment_intent: '{id}'"))
}

/// `GET /v1/payment_methods/{id}`.
fn describe(id: &str) -> Reply {
    match test_card(id) {
        Some(card) => reply(
            200,
            &json!({
                "id": card.token, "object": "payment_method", "type": "card",
                "card": { "brand": card.brand, "last4": card.last4 },
            }),
        ),
        None => invalid_request(404, Some("resource_missing"), Some("id"), &format!("No such PaymentMethod: '{id}'")),
    }
}

/// The decline of a card that declines, or `None` for one that pays.
fn declined(card: &TestCard) -> Option<Reply> {
    card.decline.map(|(decline_code, message)| card_error("card_declined", Some(decline_code), message))
}

// ------------------------------------------------------------------ fixed answers

/// Fixed answers with fixed ids, for tests that assert on them:
///
/// - `POST /v1/payment_intents`: a paying test card → `pi_123` in
///   `requires_capture`; a declining one → its 402 `card_error`; `pm_card_expired`
///   → a 402 `card_error` with only a `code` (`expired_card`, no `decline_code`);
///   anything else → 400 `resource_missing` on `payment_method`;
/// - capture of `pi_123` → `succeeded`; of `pi_done` → 400
///   `payment_intent_unexpected_state`;
/// - `POST /v1/refunds` → `re_456`, `succeeded`;
/// - `GET /v1/payment_methods/{id}` → the test card; any other GET → 404
///   `resource_missing`;
/// - anything else → 500 `api_error`.
pub fn stripe_like() -> Responder {
    Arc::new(|request: &Recorded| match (request.method.as_str(), request.path.as_str()) {
        ("POST", "/v1/payment_intents") => match request.field("payment_method").unwrap_or_default() {
            "pm_card_expired" => card_error("expired_card", None, "Your card has expired."),
            token => match test_card(token) {
                Some(card) => declined(card).unwrap_or_else(|| intent("pi_123", "requires_capture")),
                None => no_such_method(token),
            },
        },
        ("POST", "/v1/payment_intents/pi_123/capture") => intent("pi_123", "succeeded"),
        ("POST", "/v1/payment_intents/pi_done/capture") => unexpected_state("succeeded", "captured"),
        ("POST", "/v1/refunds") => refund("re_456", request.field("payment_intent"), None),
        // The only GET the adapter makes; any other path is just as missing.
        ("GET", path) => describe(path.strip_prefix("/v1/payment_methods/").unwrap_or(path)),
        _ => reply(500, &json!({ "error": { "type": "api_error", "message": "boom" } })),
    })
}

// ------------------------------------------------------------------ test mode

/// A PaymentIntent the test-mode fake holds.
#[derive(Debug, Clone)]
struct Intent {
    status: &'static str,
    amount: i64,
    captured: i64,
    refunded: i64,
}

/// What the test-mode fake remembers: its objects and the answers per idempotency key.
#[derive(Debug, Default)]
struct Account {
    next_id: u64,
    intents: HashMap<String, Intent>,
    /// `Idempotency-Key` → the request it was first used with, and the answer.
    replays: HashMap<String, (String, Reply)>,
}

/// A small stateful Stripe test mode; see the module docs.
pub fn test_mode() -> Responder {
    let account = Mutex::new(Account::default());
    Arc::new(move |request: &Recorded| {
        let mut account = account.lock().unwrap_or_else(PoisonError::into_inner);
        account.answer(request)
    })
}

impl Account {
    fn answer(&mut self, request: &Recorded) -> Reply {
        // Stripe keys idempotency on POSTs only; GETs are naturally idempotent.
        let key = request.header("idempotency-key").filter(|_| request.method == "POST").map(str::to_owned);
        let Some(key) = key else { return self.handle(request) };
        let fingerprint = fingerprint(request);
        if let Some((first, answer)) = self.replays.get(&key) {
            return if *first == fingerprint {
                answer.clone()
            } else {
                let message = format!(
                    "Keys for idempotent requests can only be used with the same parameters they were first \
                     used with. Try using a key other than '{key}' if you meant to execute a different request."
                );
                reply(400, &json!({ "error": { "type": "idempotency_error", "message": message } }))
            };
        }
        let answer = self.handle(request);
        self.replays.insert(key, (fingerprint, answer.clone()));
        answer
    }

    fn handle(&mut self, request: &Recorded) -> Reply {
        let path = request.path.split('?').next().unwrap_or_default();
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        match (request.method.as_str(), segments.as_slice()) {
            ("POST", ["v1", "payment_intents"]) => self.create_intent(request),
            ("POST", ["v1", "payment_intents", id, "capture"]) => self.capture(id, request),
            ("POST", ["v1", "payment_intents", id, "cancel"]) => self.cancel(id),
            ("GET", ["v1", "payment_intents", id]) => self.retrieve(id),
            ("POST", ["v1", "refunds"]) => self.refund(request),
            ("GET", ["v1", "payment_methods", id]) => describe(id),
            _ => {
                let message = format!("Unrecognized request URL ({}: {}).", request.method, request.path);
                invalid_request(404, None, None, &message)
            }
        }
    }

    fn new_id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}_fake{:08}", self.next_id)
    }

    fn create_intent(&mut self, request: &Recorded) -> Reply {
        let Some(amount) = request.field("amount").and_then(|amount| amount.parse::<i64>().ok()) else {
            return invalid_request(400, Some("parameter_missing"), Some("amount"), "Missing required param: amount.");
        };
        let token = request.field("payment_method").unwrap_or_default();
        let Some(card) = test_card(token) else { return no_such_method(token) };
        if let Some(decline) = declined(card) {
            return decline;
        }
        let status = match (request.field("confirm"), request.field("capture_method")) {
            (Some("true"), Some("manual")) => "requires_capture",
            (Some("true"), _) => "succeeded",
            _ => "requires_confirmation",
        };
        let id = self.new_id("pi");
        let captured = if status == "succeeded" { amount } else { 0 };
        self.intents.insert(id.clone(), Intent { status, amount, captured, refunded: 0 });
        intent(&id, status)
    }

    fn capture(&mut self, id: &str, request: &Recorded) -> Reply {
        let Some(held) = self.intents.get_mut(id) else { return no_such_intent(404, id, "intent") };
        if held.status != "requires_capture" {
            return unexpected_state(held.status, "captured");
        }
        let amount = match request.field("amount_to_capture").map(str::parse::<i64>) {
            None => held.amount,
            Some(Ok(amount)) if (1..=held.amount).contains(&amount) => amount,
            Some(_) => {
                let message = format!("amount_to_capture must be between 1 and the amount of {}.", held.amount);
                return invalid_request(400, None, Some("amount_to_capture"), &message);
            }
        };
        held.status = "succeeded";
        held.captured = amount;
        intent(id, held.status)
    }

    fn retrieve(&self, id: &str) -> Reply {
        let Some(held) = self.intents.get(id) else { return no_such_intent(404, id, "intent") };
        let body = json!({
            "id": id, "object": "payment_intent", "status": held.status,
            "amount": held.amount, "amount_received": held.captured,
        });
        reply(200, &body)
    }

    fn cancel(&mut self, id: &str) -> Reply {
        let Some(held) = self.intents.get_mut(id) else { return no_such_intent(404, id, "intent") };
        if matches!(held.status, "succeeded" | "canceled") {
            return unexpected_state(held.status, "canceled");
        }
        held.status = "canceled";
        intent(id, held.status)
    }

    fn refund(&mut self, request: &Recorded) -> Reply {
        let id = request.field("payment_intent").unwrap_or_default().to_owned();
        let Some(held) = self.intents.get(&id) else { return no_such_intent(400, &id, "payment_intent") };
        if held.status != "succeeded" {
            let message = format!("PaymentIntent {id} has no captured charge to refund (status {}).", held.status);
            return invalid_request(400, None, Some("payment_intent"), &message);
        }
        let left = held.captured - held.refunded;
        if left == 0 {
            let message = "This charge has already been refunded.";
            return invalid_request(400, Some("charge_already_refunded"), None, message);
        }
        let amount = match request.field("amount").map(str::parse::<i64>) {
            None => left,
            Some(Ok(amount)) if (1..=left).contains(&amount) => amount,
            Some(_) => {
                let message = format!("Refund amount must be between 1 and the unrefunded amount of {left}.");
                return invalid_request(400, None, Some("amount"), &message);
            }
        };
        let refund_id = self.new_id("re");
        if let Some(held) = self.intents.get_mut(&id) {
            held.refunded += amount;
        }
        refund(&refund_id, Some(&id), Some(amount))
    }
}

/// What makes two requests "the same" for an idempotency key: method, path and
/// parameters (in any order).
fn fingerprint(request: &Recorded) -> String {
    let form: BTreeMap<&String, &String> = request.form.iter().collect();
    format!("{} {} {form:?}", request.method, request.path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_bodies_decode_like_reqwest_encodes_them() {
        let form = parse_form("metadata%5Bemporium_payment_id%5D=p-1&description=order+42+%26+co&flag&x=%zz%4");
        assert_eq!(form["metadata[emporium_payment_id]"], "p-1");
        assert_eq!(form["description"], "order 42 & co");
        assert_eq!(form["flag"], "");
        assert_eq!(form["x"], "%zz%4", "a broken escape stays as sent");
        assert_eq!(decode("caf%C3%A9%E2%82%AC"), "café€");
        assert_eq!(decode("%FF"), "\u{FFFD}");
    }
}
