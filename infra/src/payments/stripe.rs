//! The Stripe adapter of the [`PaymentGateway`] port, over Stripe's HTTP API
//! (PaymentIntents with manual capture).
//!
//! - `authorize` = `POST /v1/payment_intents` with `amount`, lower-case `currency`,
//!   `payment_method`, `payment_method_types[]=card`, `confirm=true`,
//!   `capture_method=manual`, `description` and `metadata[emporium_payment_id]`
//!   (Emporium's payment id: Stripe copies a PaymentIntent's metadata onto the Charge
//!   it creates, so `charge.*` webhooks lead back to the payment); success is a
//!   PaymentIntent in `requires_capture`, whose id is the provider reference;
//! - `capture` = `POST /v1/payment_intents/{id}/capture` with `amount_to_capture`;
//! - `refund` = `POST /v1/refunds` with `payment_intent` and `amount`;
//! - `describe_method` = `GET /v1/payment_methods/{id}` (`card.brand`, `card.last4`).
//!
//! Bodies are form-encoded, requests authenticate with `Authorization: Bearer sk_…`,
//! and every `POST` carries the port's key as `Idempotency-Key`, so Stripe answers a
//! retried call with the first answer and never charges twice.
//!
//! Errors map onto [`GatewayError`]: a `card_error` (HTTP 402) is
//! [`Declined`](GatewayError::Declined) with its `decline_code` (or `code`); an
//! `invalid_request_error` about the payment method (its `param`, or a missing
//! method in `describe_method`) is [`InvalidMethod`](GatewayError::InvalidMethod);
//! HTTP 429 (rate limited; Stripe documents it as safe to retry), 5xx, timeouts and
//! connection failures are [`Unavailable`](GatewayError::Unavailable); every other
//! 4xx is [`Rejected`](GatewayError::Rejected).
//!
//! The secret key is never logged: [`StripeConfig`] and [`StripeGateway`] redact it
//! in `Debug`, and the `Authorization` header is marked sensitive.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use emporium_domain::money::Money;
use reqwest::{Client, RequestBuilder, StatusCode};
use serde::Deserialize;

use super::{Authorization, AuthorizeRequest, GatewayError, MethodDetails, PaymentGateway, RefundReceipt};

/// Stripe's API root.
pub const DEFAULT_BASE_URL: &str = "https://api.stripe.com";

/// Default per-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

pub use super::PAYMENT_ID_METADATA;

/// How to reach Stripe.
#[derive(Clone)]
pub struct StripeConfig {
    /// The secret (`sk_…`) or restricted (`rk_…`) API key. Never logged.
    pub secret_key: String,
    /// API root without a trailing `/v1`, e.g. [`DEFAULT_BASE_URL`] or a test server.
    pub base_url: String,
    /// Per-request timeout (connect, send and read the answer).
    pub timeout: Duration,
}

impl StripeConfig {
    /// A configuration with the default base URL and timeout.
    pub fn new(secret_key: impl Into<String>) -> Self {
        Self { secret_key: secret_key.into(), base_url: DEFAULT_BASE_URL.to_owned(), timeout: DEFAULT_TIMEOUT }
    }
}

impl fmt::Debug for StripeConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StripeConfig")
            .field("secret_key", &"[redacted]")
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// The Stripe provider; see the module docs.
pub struct StripeGateway {
    client: Client,
    secret_key: String,
    base_url: String,
}

impl fmt::Debug for StripeGateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StripeGateway")
            .field("secret_key", &"[redacted]")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

/// What a call is, for error mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Call {
    Describe,
    Authorize,
    Capture,
    Void,
    Refund,
}

/// Stripe's error envelope: `{"error": {...}}`.
#[derive(Debug, Default, Deserialize)]
struct ErrorEnvelope {
    #[serde(default)]
    error: StripeErrorBody,
}

#[derive(Debug, Default, Deserialize)]
struct StripeErrorBody {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    decline_code: Option<String>,
    #[serde(default)]
    param: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

#[derive(Debug, Deserialize)]
struct PaymentIntent {
    id: String,
    #[serde(default)]
    status: Option<String>,
    /// Minor units taken (retrieved intents).
    #[serde(default)]
    amount_received: Option<i64>,
    #[serde(default)]
    last_payment_error: Option<StripeErrorBody>,
}

#[derive(Debug, Deserialize)]
struct Refund {
    id: String,
    #[serde(default)]
    status: Option<String>,
}

#[derive(Debug, Deserialize)]
struct PaymentMethod {
    #[serde(default)]
    card: Option<Card>,
}

#[derive(Debug, Deserialize)]
struct Card {
    brand: String,
    last4: String,
}

impl StripeGateway {
    /// A gateway for this configuration; fails only on an unusable key or HTTP client.
    pub fn new(config: StripeConfig) -> Result<Self, GatewayError> {
        let key = config.secret_key.trim();
        if key.is_empty() || key.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(GatewayError::Rejected("unusable Stripe secret key".to_owned()));
        }
        let client = Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .build()
            .map_err(|error| GatewayError::Unavailable(format!("stripe http client: {error}")))?;
        Ok(Self { client, secret_key: key.to_owned(), base_url: config.base_url.trim_end_matches('/').to_owned() })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    fn post(&self, path: &str, idempotency_key: &str, form: &[(&str, String)]) -> RequestBuilder {
        self.client
            .post(self.url(path))
            .bearer_auth(&self.secret_key)
            .header("Idempotency-Key", idempotency_key)
            .form(form)
    }

    /// Sends, and returns the 2xx body parsed, or the mapped error.
    /// A capture Stripe refused because the intent is no longer capturable: when it is
    /// `succeeded` with this amount received, it was captured before (a retry after
    /// Stripe forgot the first call's idempotency key, 24 h on) and that is success;
    /// anything else keeps the refusal.
    async fn captured_before(&self, id: &str, amount: &Money, refusal: String) -> Result<(), GatewayError> {
        let request = self.client.get(self.url(&format!("/v1/payment_intents/{id}"))).bearer_auth(&self.secret_key);
        let intent: PaymentIntent = match self.send(request, Call::Capture).await {
            Ok(intent) => intent,
            Err(error @ GatewayError::Unavailable(_)) => return Err(error),
            Err(_) => return Err(GatewayError::Rejected(refusal)),
        };
        if intent.status.as_deref() == Some("succeeded") && intent.amount_received == Some(amount.amount()) {
            tracing::info!(payment_intent = %intent.id, "captured before; the repeated capture is done");
            return Ok(());
        }
        Err(GatewayError::Rejected(refusal))
    }

    async fn send<T: for<'de> Deserialize<'de>>(&self, request: RequestBuilder, call: Call) -> Result<T, GatewayError> {
        let response = request.send().await.map_err(|error| transport_error(&error))?;
        let status = response.status();
        let body = response.text().await.map_err(|error| transport_error(&error))?;
        if !status.is_success() {
            let error = map_error(status, &body, call);
            tracing::debug!(?call, status = status.as_u16(), %error, "stripe refused");
            return Err(error);
        }
        serde_json::from_str(&body)
            .map_err(|error| GatewayError::Unavailable(format!("unreadable stripe answer ({status}): {error}")))
    }
}

/// A Stripe object id in a path: letters, digits and `_` only, so it cannot escape
/// the path it is put in.
fn path_id(id: &str) -> Option<&str> {
    let ok = !id.is_empty() && id.len() <= 255 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    ok.then_some(id)
}

fn transport_error(error: &reqwest::Error) -> GatewayError {
    let what = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "connection failed"
    } else {
        "transport error"
    };
    // reqwest's message names the URL, never the Authorization header.
    GatewayError::Unavailable(format!("stripe {what}: {error}"))
}

fn map_error(status: StatusCode, body: &str, call: Call) -> GatewayError {
    let error = serde_json::from_str::<ErrorEnvelope>(body).unwrap_or_default().error;
    let summary = {
        let code = error.code.as_deref().or(error.kind.as_deref()).unwrap_or("error");
        let message = error.message.as_deref().unwrap_or("no message");
        format!("stripe {}: {code}: {message}", status.as_u16())
    };
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
        return GatewayError::Unavailable(summary);
    }
    // A wrong, revoked or under-privileged key is the shop's problem, not the
    // customer's: nothing was charged, so keep the payment pending (retried) and shout,
    // rather than fail it or call the card unusable.
    if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
        tracing::error!(%summary, "Stripe refused the API key: check --stripe-secret-key");
        return GatewayError::Unavailable(summary);
    }
    if !status.is_client_error() {
        return GatewayError::Unavailable(summary);
    }
    let kind = error.kind.as_deref();
    if status == StatusCode::PAYMENT_REQUIRED || kind == Some("card_error") {
        let reason = error.decline_code.or(error.code).unwrap_or_else(|| "card_declined".to_owned());
        return GatewayError::Declined { reason };
    }
    if kind == Some("invalid_request_error") {
        let about_method = error.param.as_deref().is_some_and(|param| param.starts_with("payment_method"));
        let missing_method = call == Call::Describe
            && (status == StatusCode::NOT_FOUND || error.code.as_deref() == Some("resource_missing"));
        if about_method || missing_method {
            return GatewayError::InvalidMethod;
        }
    }
    GatewayError::Rejected(summary)
}

fn amount_field(amount: &Money) -> String {
    amount.amount().to_string()
}

#[async_trait]
impl PaymentGateway for StripeGateway {
    fn name(&self) -> &'static str {
        "stripe"
    }

    async fn describe_method(&self, method_token: &str) -> Result<MethodDetails, GatewayError> {
        let id = path_id(method_token).ok_or(GatewayError::InvalidMethod)?;
        let request = self.client.get(self.url(&format!("/v1/payment_methods/{id}"))).bearer_auth(&self.secret_key);
        let method: PaymentMethod = self.send(request, Call::Describe).await?;
        let card = method.card.ok_or(GatewayError::InvalidMethod)?;
        Ok(MethodDetails { brand: card.brand, last4: card.last4 })
    }

    async fn authorize(&self, request: &AuthorizeRequest) -> Result<Authorization, GatewayError> {
        let metadata_key = format!("metadata[{PAYMENT_ID_METADATA}]");
        let form = [
            ("amount", amount_field(&request.amount)),
            ("currency", request.amount.currency().as_str().to_ascii_lowercase()),
            ("payment_method", request.method_token.clone()),
            ("payment_method_types[]", "card".to_owned()),
            ("confirm", "true".to_owned()),
            ("capture_method", "manual".to_owned()),
            ("description", request.description.clone()),
            (metadata_key.as_str(), request.payment_reference.clone()),
        ];
        let http = self.post("/v1/payment_intents", &request.idempotency_key, &form);
        let intent: PaymentIntent = self.send(http, Call::Authorize).await?;
        match intent.status.as_deref() {
            Some("requires_capture") => Ok(Authorization { provider_reference: intent.id }),
            // Needs 3-D Secure or similar, which a server-side checkout cannot do.
            Some("requires_action") => Err(GatewayError::Declined { reason: "authentication_required".to_owned() }),
            Some("requires_payment_method") => {
                let reason = intent
                    .last_payment_error
                    .and_then(|error| error.decline_code.or(error.code))
                    .unwrap_or_else(|| "card_declined".to_owned());
                Err(GatewayError::Declined { reason })
            }
            Some("processing") => {
                Err(GatewayError::Unavailable(format!("payment intent {} still processing", intent.id)))
            }
            other => Err(GatewayError::Rejected(format!(
                "payment intent {} in unexpected state {}",
                intent.id,
                other.unwrap_or("unknown")
            ))),
        }
    }

    async fn capture(
        &self,
        idempotency_key: &str,
        provider_reference: &str,
        amount: &Money,
    ) -> Result<(), GatewayError> {
        let id = path_id(provider_reference)
            .ok_or_else(|| GatewayError::Rejected(format!("not a payment intent id: {provider_reference:?}")))?;
        let form = [("amount_to_capture", amount_field(amount))];
        let http = self.post(&format!("/v1/payment_intents/{id}/capture"), idempotency_key, &form);
        let intent: PaymentIntent = match self.send(http, Call::Capture).await {
            // Our own error summary names Stripe's code: "stripe 400: <code>: <message>".
            Err(GatewayError::Rejected(reason)) if reason.contains(": payment_intent_unexpected_state:") => {
                return self.captured_before(id, amount, reason).await;
            }
            answer => answer?,
        };
        match intent.status.as_deref() {
            Some("succeeded") => Ok(()),
            Some("processing") => Err(GatewayError::Unavailable(format!("capture of {} still processing", intent.id))),
            other => Err(GatewayError::Rejected(format!(
                "payment intent {} not captured (state {})",
                intent.id,
                other.unwrap_or("unknown")
            ))),
        }
    }

    async fn void(&self, idempotency_key: &str, provider_reference: &str) -> Result<(), GatewayError> {
        let id = path_id(provider_reference)
            .ok_or_else(|| GatewayError::Rejected(format!("not a payment intent id: {provider_reference:?}")))?;
        let form = [("cancellation_reason", "abandoned".to_owned())];
        let http = self.post(&format!("/v1/payment_intents/{id}/cancel"), idempotency_key, &form);
        let intent: PaymentIntent = self.send(http, Call::Void).await?;
        match intent.status.as_deref() {
            Some("canceled") => Ok(()),
            other => Err(GatewayError::Rejected(format!(
                "payment intent {} not canceled (state {})",
                intent.id,
                other.unwrap_or("unknown")
            ))),
        }
    }

    async fn refund(
        &self,
        idempotency_key: &str,
        provider_reference: &str,
        amount: &Money,
    ) -> Result<RefundReceipt, GatewayError> {
        let form = [("payment_intent", provider_reference.to_owned()), ("amount", amount_field(amount))];
        let http = self.post("/v1/refunds", idempotency_key, &form);
        let refund: Refund = self.send(http, Call::Refund).await?;
        match refund.status.as_deref() {
            Some("failed") | Some("canceled") => Err(GatewayError::Rejected(format!(
                "refund {} {}",
                refund.id,
                refund.status.as_deref().unwrap_or_default()
            ))),
            _ => Ok(RefundReceipt { refund_id: refund.id }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_api_key_is_unavailable_not_a_decline_or_a_bad_method() {
        let body = r#"{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: sk_test_****"}}"#;
        for call in [Call::Describe, Call::Authorize, Call::Capture] {
            assert!(matches!(map_error(StatusCode::UNAUTHORIZED, body, call), GatewayError::Unavailable(_)));
            assert!(matches!(map_error(StatusCode::FORBIDDEN, body, call), GatewayError::Unavailable(_)));
        }
    }
}
