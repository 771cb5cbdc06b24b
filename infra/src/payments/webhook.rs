//! Stripe webhook signature verification, as Stripe documents it
//! (docs.stripe.com/webhooks, "Verify signatures manually"), and a small parser for
//! the event body.
//!
//! The `Stripe-Signature` header is a comma-separated list of `key=value` items:
//! one `t=` (the Unix timestamp of the delivery) and one or more `v1=` (hex
//! HMAC-SHA256 signatures; several during a secret rotation). Other schemes, such as
//! `v0=` (test-mode legacy), are ignored. The signed payload is `"{t}.{body}"`, keyed
//! with the endpoint's signing secret (`whsec_…`, used as-is). The delivery passes
//! when any `v1` matches in constant time and `|now - t|` is within the tolerance
//! ([`DEFAULT_TOLERANCE`], five minutes, Stripe's default).

use std::collections::HashMap;
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use super::PAYMENT_ID_METADATA;

/// Stripe's default tolerance between the signed timestamp and now.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// The header carrying the signatures.
pub const SIGNATURE_HEADER: &str = "Stripe-Signature";

/// Why a webhook delivery is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// No `t=` item, or one that is not an integer.
    #[error("the signature header has no valid timestamp")]
    MissingTimestamp,
    /// No `v1=` item.
    #[error("the signature header has no v1 signature")]
    NoSignatures,
    /// The signed timestamp is too far from now (replay protection).
    #[error("the signature timestamp is outside the tolerance")]
    TimestampOutsideTolerance,
    /// No `v1` signature matches the payload and secret.
    #[error("no signature matches the payload")]
    NoMatchingSignature,
    /// The event body is not a Stripe event.
    #[error("malformed event: {0}")]
    MalformedEvent(String),
}

/// Verifies a delivery's `Stripe-Signature` `header` over the raw `payload` with the
/// endpoint `secret`, at Unix time `now` (seconds).
pub fn verify_stripe_signature(
    payload: &[u8],
    header: &str,
    secret: &str,
    tolerance: Duration,
    now: i64,
) -> Result<(), WebhookError> {
    let mut timestamp: Option<&str> = None;
    let mut signatures: Vec<&str> = Vec::new();
    for item in header.split(',') {
        let Some((key, value)) = item.split_once('=') else { continue };
        match key.trim() {
            "t" if timestamp.is_none() => timestamp = Some(value.trim()),
            "v1" => signatures.push(value.trim()),
            _ => {}
        }
    }
    let timestamp_text = timestamp.ok_or(WebhookError::MissingTimestamp)?;
    let timestamp: i64 = timestamp_text.parse().map_err(|_| WebhookError::MissingTimestamp)?;
    if signatures.is_empty() {
        return Err(WebhookError::NoSignatures);
    }
    let tolerance = i128::from(i64::try_from(tolerance.as_secs()).unwrap_or(i64::MAX));
    if (i128::from(now) - i128::from(timestamp)).abs() > tolerance {
        return Err(WebhookError::TimestampOutsideTolerance);
    }
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).map_err(|_| WebhookError::NoMatchingSignature)?;
    mac.update(timestamp_text.as_bytes());
    mac.update(b".");
    mac.update(payload);
    let matched = signatures.iter().any(|signature| match hex::decode(signature) {
        // `verify_slice` compares in constant time.
        Ok(bytes) => mac.clone().verify_slice(&bytes).is_ok(),
        Err(_) => false,
    });
    if matched { Ok(()) } else { Err(WebhookError::NoMatchingSignature) }
}

/// [`verify_stripe_signature`] at the current time.
pub fn verify_stripe_signature_now(
    payload: &[u8],
    header: &str,
    secret: &str,
    tolerance: Duration,
) -> Result<(), WebhookError> {
    verify_stripe_signature(payload, header, secret, tolerance, chrono::Utc::now().timestamp())
}

/// The event types the shop acts on; the rest are [`StripeEventKind::Other`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StripeEventKind {
    /// `payment_intent.amount_capturable_updated`: authorised, awaiting capture.
    PaymentIntentAmountCapturableUpdated,
    /// `payment_intent.succeeded`: captured.
    PaymentIntentSucceeded,
    /// `payment_intent.payment_failed`.
    PaymentIntentPaymentFailed,
    /// `payment_intent.canceled`.
    PaymentIntentCanceled,
    /// `charge.refunded`.
    ChargeRefunded,
    /// Any other type, verbatim.
    Other(String),
}

impl StripeEventKind {
    fn from_type(kind: &str) -> Self {
        match kind {
            "payment_intent.amount_capturable_updated" => Self::PaymentIntentAmountCapturableUpdated,
            "payment_intent.succeeded" => Self::PaymentIntentSucceeded,
            "payment_intent.payment_failed" => Self::PaymentIntentPaymentFailed,
            "payment_intent.canceled" => Self::PaymentIntentCanceled,
            "charge.refunded" => Self::ChargeRefunded,
            other => Self::Other(other.to_owned()),
        }
    }
}

/// The parts of a Stripe event the shop reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StripeEvent {
    /// The event id (`evt_…`), when present.
    pub id: Option<String>,
    /// The `type`, verbatim.
    pub event_type: String,
    /// The `type`, typed.
    pub kind: StripeEventKind,
    /// `data.object.id`, e.g. a PaymentIntent id.
    pub object_id: String,
    /// `data.object.status`, when the object has one.
    pub object_status: Option<String>,
    /// `data.object.metadata.emporium_payment_id`: Emporium's payment id, on the
    /// PaymentIntents and Charges Emporium created.
    pub payment_reference: Option<String>,
}

#[derive(Deserialize)]
struct RawEvent {
    #[serde(default)]
    id: Option<String>,
    #[serde(rename = "type")]
    event_type: String,
    data: RawData,
}

#[derive(Deserialize)]
struct RawData {
    object: RawObject,
}

#[derive(Deserialize)]
struct RawObject {
    id: String,
    #[serde(default)]
    status: Option<String>,
    // Metadata values are strings; `null` where an object type has none.
    #[serde(default)]
    metadata: Option<HashMap<String, String>>,
}

/// Parses a (verified) event body.
pub fn parse_stripe_event(payload: &[u8]) -> Result<StripeEvent, WebhookError> {
    let raw: RawEvent =
        serde_json::from_slice(payload).map_err(|error| WebhookError::MalformedEvent(error.to_string()))?;
    Ok(StripeEvent {
        id: raw.id,
        kind: StripeEventKind::from_type(&raw.event_type),
        event_type: raw.event_type,
        payment_reference: raw.data.object.metadata.and_then(|mut metadata| metadata.remove(PAYMENT_ID_METADATA)),
        object_id: raw.data.object.id,
        object_status: raw.data.object.status,
    })
}
