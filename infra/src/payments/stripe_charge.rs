//! A Stripe Charge as `charge.*` webhook events carry it in `data.object`: the parts
//! that lead back to an Emporium payment and tell how much Stripe has refunded.
//!
//! Stripe copies a PaymentIntent's metadata onto the Charge the intent creates when
//! it is confirmed (support.stripe.com, "How metadata works with related objects";
//! a one-time copy, later edits of the intent's metadata do not follow), so every
//! charge Emporium made names its payment in `metadata.emporium_payment_id`.
//! `payment_intent` names the intent, which Emporium records as the payment's
//! provider reference. `amount_refunded` is the running total of every refund of
//! the charge in the currency's smallest unit, whoever made it (Emporium or the
//! Dashboard), which is what lets a handler reconcile by difference.

use std::collections::HashMap;

use emporium_domain::money::{Currency, Money};
use serde::Deserialize;

use super::PAYMENT_ID_METADATA;
use super::webhook::WebhookError;

/// The parts of a Charge the shop reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StripeCharge {
    /// The charge id (`ch_…`).
    pub id: String,
    /// The PaymentIntent that created it (`pi_…`); absent on legacy charges.
    pub payment_intent: Option<String>,
    /// `metadata.emporium_payment_id`; absent on charges Emporium did not create.
    pub payment_reference: Option<String>,
    /// Everything refunded so far, all refunds together.
    pub amount_refunded: Money,
}

#[derive(Deserialize)]
struct RawEvent {
    data: RawData,
}

#[derive(Deserialize)]
struct RawData {
    object: RawCharge,
}

#[derive(Deserialize)]
struct RawCharge {
    id: String,
    #[serde(default)]
    payment_intent: Option<String>,
    #[serde(default)]
    metadata: Option<HashMap<String, String>>,
    amount_refunded: i64,
    currency: String,
}

/// Reads the Charge out of a (verified) `charge.*` event body.
pub fn parse_stripe_charge(payload: &[u8]) -> Result<StripeCharge, WebhookError> {
    let malformed =
        |what: &str, error: &dyn std::fmt::Display| WebhookError::MalformedEvent(format!("{what}: {error}"));
    let raw: RawEvent = serde_json::from_slice(payload).map_err(|error| malformed("charge", &error))?;
    let charge = raw.data.object;
    let currency = Currency::parse(&charge.currency).map_err(|error| malformed("charge currency", &error))?;
    let amount_refunded =
        Money::new(charge.amount_refunded, currency).map_err(|error| malformed("amount_refunded", &error))?;
    Ok(StripeCharge {
        id: charge.id,
        payment_intent: charge.payment_intent.filter(|intent| !intent.is_empty()),
        payment_reference: charge.metadata.and_then(|mut metadata| metadata.remove(PAYMENT_ID_METADATA)),
        amount_refunded,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_refunded_charge_names_its_payment_intent_payment_and_refunded_total() {
        let payload = br#"{"id":"evt_1","type":"charge.refunded","data":{"object":{
            "id":"ch_1","object":"charge","amount":5000,"amount_captured":5000,"amount_refunded":1500,
            "currency":"usd","payment_intent":"pi_1","refunded":false,
            "metadata":{"emporium_payment_id":"0190b7e2-51a1-7c3e-9d4f-2a6b8c0d1e2f","other":"x"}}}}"#;
        let charge = parse_stripe_charge(payload).unwrap();
        assert_eq!(charge.id, "ch_1");
        assert_eq!(charge.payment_intent.as_deref(), Some("pi_1"));
        assert_eq!(charge.payment_reference.as_deref(), Some("0190b7e2-51a1-7c3e-9d4f-2a6b8c0d1e2f"));
        assert_eq!(charge.amount_refunded, Money::new(1500, Currency::parse("USD").unwrap()).unwrap());
    }

    #[test]
    fn a_charge_emporium_did_not_make_has_no_payment_reference() {
        let payload = br#"{"data":{"object":{"id":"ch_2","amount_refunded":0,"currency":"eur",
            "payment_intent":null,"metadata":{}}}}"#;
        let charge = parse_stripe_charge(payload).unwrap();
        assert_eq!((charge.payment_intent, charge.payment_reference), (None, None));
    }

    #[test]
    fn charges_without_amounts_or_with_negative_ones_are_malformed() {
        for payload in [
            &br#"{"data":{"object":{"id":"ch_3","currency":"usd"}}}"#[..],
            br#"{"data":{"object":{"id":"ch_3","amount_refunded":-1,"currency":"usd"}}}"#,
            br#"{"data":{"object":{"id":"ch_3","amount_refunded":1,"currency":"dollars"}}}"#,
            b"[]",
        ] {
            assert!(matches!(parse_stripe_charge(payload), Err(WebhookError::MalformedEvent(_))), "{payload:?}");
        }
    }
}
