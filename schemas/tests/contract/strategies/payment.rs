//! Payment attempt and wallet events.

use emporium_domain::payment::wallet::{PaymentMethodRemoved, PaymentMethodSaved, WalletEvent};
use emporium_domain::payment::{
    PaymentAuthorized, PaymentCaptured, PaymentEvent, PaymentFailed, PaymentRefunded, PaymentRequested,
};
use proptest::prelude::*;

use super::values::*;

/// Any payment event.
pub fn payment_events() -> impl Strategy<Value = PaymentEvent> {
    prop_oneof![
        (payment_id(), order_id(), customer_id(), money(), token_fingerprint(), instant()).prop_map(
            |(payment_id, order_id, customer_id, amount, method_fingerprint, at)| {
                PaymentEvent::PaymentRequested(PaymentRequested {
                    payment_id,
                    order_id,
                    customer_id,
                    amount,
                    method_fingerprint,
                    at,
                })
            }
        ),
        (payment_id(), order_id(), "(ch|pi)_[A-Za-z0-9]{8,24}", money(), instant()).prop_map(
            |(payment_id, order_id, provider_reference, amount, at)| {
                PaymentEvent::PaymentAuthorized(PaymentAuthorized {
                    payment_id,
                    order_id,
                    provider_reference,
                    amount,
                    at,
                })
            }
        ),
        (payment_id(), order_id(), money(), instant()).prop_map(|(payment_id, order_id, amount, at)| {
            PaymentEvent::PaymentCaptured(PaymentCaptured { payment_id, order_id, amount, at })
        }),
        (payment_id(), order_id(), short_text(), instant()).prop_map(|(payment_id, order_id, reason, at)| {
            PaymentEvent::PaymentFailed(PaymentFailed { payment_id, order_id, reason, at })
        }),
        (
            payment_id(),
            order_id(),
            "re_[A-Za-z0-9]{8,24}",
            currency().prop_flat_map(|c| (money_in(c), money_in(c))),
            instant()
        )
            .prop_map(|(payment_id, order_id, refund_id, (amount, total_refunded), at)| {
                PaymentEvent::PaymentRefunded(PaymentRefunded {
                    payment_id,
                    order_id,
                    refund_id,
                    amount,
                    total_refunded,
                    at,
                })
            }),
    ]
}

/// Any wallet event.
pub fn wallet_events() -> impl Strategy<Value = WalletEvent> {
    prop_oneof![
        (
            customer_id(),
            payment_method_id(),
            "(stripe|paypal)",
            "(visa|mastercard|amex|paypal)",
            "[0-9]{4}",
            token_fingerprint(),
            instant()
        )
            .prop_map(|(customer_id, method_id, provider, brand, last4, token_fingerprint, at)| {
                WalletEvent::PaymentMethodSaved(PaymentMethodSaved {
                    customer_id,
                    method_id,
                    provider,
                    brand,
                    last4,
                    token_fingerprint,
                    at,
                })
            }),
        (customer_id(), payment_method_id(), instant()).prop_map(|(customer_id, method_id, at)| {
            WalletEvent::PaymentMethodRemoved(PaymentMethodRemoved { customer_id, method_id, at })
        }),
    ]
}
