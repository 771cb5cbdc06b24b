//! What Stripe posts, as the OpenAPI document describes it. The handler itself reads
//! the raw bytes, because the signature covers them exactly as sent.

use serde::Deserialize;

/// A Stripe event (only the fields the shop reads are listed; Stripe sends more).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct StripeEventBody {
    /// The event id, `evt_…`; deliveries are deduplicated by it.
    pub id: String,
    /// The event type: `charge.refunded` records refunds made at Stripe;
    /// `payment_intent.succeeded`, `payment_intent.payment_failed` and
    /// `payment_intent.canceled` are acknowledged; others are ignored.
    #[serde(rename = "type")]
    pub event_type: String,
    /// `{"object": …}`: the Charge or PaymentIntent. A Charge names its payment in
    /// `metadata.emporium_payment_id` and its running refunded total in
    /// `amount_refunded`.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}
