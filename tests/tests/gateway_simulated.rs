//! The simulated payment gateway behaves like Stripe test mode: its test payment
//! methods succeed or decline as documented, every call is idempotent per key, and
//! captures and refunds never exceed what they may; voids release what was not
//! captured; with a journal, every answer survives a restart.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use emporium_domain::money::{Currency, Money};
use emporium_infra::payments::simulated::{SimulatedGateway, SimulatedOptions};
use emporium_infra::payments::{AuthorizeRequest, GatewayError, MethodDetails, PaymentGateway};

fn eur(amount: i64) -> Money {
    Money::new(amount, Currency::parse("EUR").unwrap()).unwrap()
}

fn usd(amount: i64) -> Money {
    Money::new(amount, Currency::parse("USD").unwrap()).unwrap()
}

fn charge(key: &str, token: &str, amount: Money) -> AuthorizeRequest {
    AuthorizeRequest {
        idempotency_key: key.to_owned(),
        amount,
        method_token: token.to_owned(),
        description: "order test".to_owned(),
        payment_reference: "payment-test".to_owned(),
    }
}

async fn captured(gateway: &SimulatedGateway, amount: Money) -> String {
    let reference = gateway.authorize(&charge("auth-1", "pm_card_visa", amount)).await.unwrap().provider_reference;
    gateway.capture("capture-1", &reference, &amount).await.unwrap();
    reference
}

#[tokio::test]
async fn visa_and_mastercard_are_described_by_brand_and_last_four() {
    let gateway = SimulatedGateway::default();
    assert_eq!(gateway.name(), "simulated");
    let visa = gateway.describe_method("pm_card_visa").await.unwrap();
    assert_eq!(visa, MethodDetails { brand: "visa".into(), last4: "4242".into() });
    let mastercard = gateway.describe_method("pm_card_mastercard").await.unwrap();
    assert_eq!(mastercard, MethodDetails { brand: "mastercard".into(), last4: "4444".into() });
    let amex = gateway.describe_method("pm_card_amex").await.unwrap();
    assert_eq!(amex.brand, "amex");
}

#[tokio::test]
async fn declining_cards_can_be_described_but_not_charged() {
    let gateway = SimulatedGateway::default();
    assert_eq!(gateway.describe_method("pm_card_chargeDeclined").await.unwrap().last4, "0002");
    assert!(gateway.describe_method("pm_card_chargeDeclinedInsufficientFunds").await.is_ok());
}

#[tokio::test]
async fn unknown_tokens_are_invalid_methods() {
    let gateway = SimulatedGateway::default();
    for token in ["", "pm_card_visa ", "tok_visa", "pm_1NvXyZ2eZvKYlo2C", "4242424242424242", "PM_CARD_VISA"] {
        assert_eq!(gateway.describe_method(token).await, Err(GatewayError::InvalidMethod), "{token:?}");
        assert_eq!(
            gateway.authorize(&charge(&format!("k-{token}"), token, eur(100))).await,
            Err(GatewayError::InvalidMethod)
        );
    }
    assert!(gateway.payments().is_empty());
}

#[tokio::test]
async fn visa_and_mastercard_authorise_and_capture() {
    let gateway = SimulatedGateway::default();
    for (i, token) in ["pm_card_visa", "pm_card_mastercard"].into_iter().enumerate() {
        let authorization = gateway.authorize(&charge(&format!("auth-{i}"), token, eur(2500))).await.unwrap();
        assert!(authorization.provider_reference.starts_with("pi_sim_"));
        gateway.capture(&format!("capture-{i}"), &authorization.provider_reference, &eur(2500)).await.unwrap();
        let payment = gateway.payment(&authorization.provider_reference).unwrap();
        assert_eq!(
            (payment.authorized, payment.captured, payment.method_token.as_str()),
            (eur(2500), Some(eur(2500)), token)
        );
    }
    assert_eq!(gateway.payments().len(), 2);
}

#[tokio::test]
async fn charge_declined_declines_with_generic_decline() {
    let gateway = SimulatedGateway::default();
    let declined = gateway.authorize(&charge("k", "pm_card_chargeDeclined", eur(100))).await;
    assert_eq!(declined, Err(GatewayError::Declined { reason: "generic_decline".into() }));
    assert!(!declined.unwrap_err().is_transient());
    assert!(gateway.payments().is_empty());
}

#[tokio::test]
async fn insufficient_funds_declines_with_that_reason() {
    let gateway = SimulatedGateway::default();
    let declined = gateway.authorize(&charge("k", "pm_card_chargeDeclinedInsufficientFunds", eur(100))).await;
    assert_eq!(declined, Err(GatewayError::Declined { reason: "insufficient_funds".into() }));
}

#[tokio::test]
async fn the_same_idempotency_key_returns_the_same_authorisation_and_charges_once() {
    let gateway = SimulatedGateway::default();
    let first = gateway.authorize(&charge("order-1-pay", "pm_card_visa", eur(999))).await.unwrap();
    let again = gateway.authorize(&charge("order-1-pay", "pm_card_visa", eur(999))).await.unwrap();
    assert_eq!(first, again);
    assert_eq!(gateway.payments().len(), 1);
    let other = gateway.authorize(&charge("order-2-pay", "pm_card_visa", eur(999))).await.unwrap();
    assert_ne!(first, other);
    assert_eq!(gateway.payments().len(), 2);
}

#[tokio::test]
async fn a_declined_answer_is_replayed_for_its_key() {
    let gateway = SimulatedGateway::default();
    let first = gateway.authorize(&charge("k", "pm_card_chargeDeclined", eur(100))).await;
    assert_eq!(gateway.authorize(&charge("k", "pm_card_chargeDeclined", eur(100))).await, first);
}

#[tokio::test]
async fn a_key_reused_for_another_request_is_rejected() {
    let gateway = SimulatedGateway::default();
    gateway.authorize(&charge("k", "pm_card_visa", eur(100))).await.unwrap();
    let reused = gateway.authorize(&charge("k", "pm_card_visa", eur(200))).await;
    assert!(matches!(reused, Err(GatewayError::Rejected(_))), "{reused:?}");
    let reference = gateway.payments()[0].provider_reference.clone();
    assert!(matches!(gateway.capture("k", &reference, &eur(100)).await, Err(GatewayError::Rejected(_))));
    assert!(matches!(gateway.authorize(&charge(" ", "pm_card_visa", eur(100))).await, Err(GatewayError::Rejected(_))));
}

#[tokio::test]
async fn concurrent_calls_with_one_key_charge_once() {
    let gateway = Arc::new(SimulatedGateway::default());
    let calls = (0..32).map(|_| {
        let gateway = gateway.clone();
        tokio::spawn(async move { gateway.authorize(&charge("same", "pm_card_visa", eur(100))).await })
    });
    let answers: Vec<_> = futures::future::join_all(calls).await.into_iter().map(|r| r.unwrap().unwrap()).collect();
    assert!(answers.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(gateway.payments().len(), 1);
}

#[tokio::test]
async fn a_capture_may_take_part_but_never_more_than_was_authorised() {
    let gateway = SimulatedGateway::default();
    let reference = gateway.authorize(&charge("a", "pm_card_visa", eur(1000))).await.unwrap().provider_reference;
    assert!(matches!(gateway.capture("c1", &reference, &eur(1001)).await, Err(GatewayError::Rejected(_))));
    assert!(matches!(gateway.capture("c2", &reference, &usd(500)).await, Err(GatewayError::Rejected(_))));
    assert!(matches!(gateway.capture("c3", &reference, &eur(0)).await, Err(GatewayError::Rejected(_))));
    gateway.capture("c4", &reference, &eur(600)).await.unwrap();
    assert_eq!(gateway.payment(&reference).unwrap().captured, Some(eur(600)));
}

#[tokio::test]
async fn a_capture_happens_once_and_its_key_replays_it() {
    let gateway = SimulatedGateway::default();
    let reference = captured(&gateway, eur(1000)).await;
    gateway.capture("capture-1", &reference, &eur(1000)).await.unwrap();
    let second = gateway.capture("capture-2", &reference, &eur(1000)).await;
    assert!(matches!(second, Err(GatewayError::Rejected(_))), "{second:?}");
}

#[tokio::test]
async fn capturing_an_unknown_reference_is_rejected() {
    let gateway = SimulatedGateway::default();
    assert!(matches!(gateway.capture("c", "pi_unknown", &eur(1)).await, Err(GatewayError::Rejected(_))));
}

#[tokio::test]
async fn refunds_add_up_to_at_most_the_capture() {
    let gateway = SimulatedGateway::default();
    let reference = captured(&gateway, eur(1000)).await;
    let first = gateway.refund("r1", &reference, &eur(400)).await.unwrap();
    assert!(first.refund_id.starts_with("re_sim_"));
    let too_much = gateway.refund("r2", &reference, &eur(601)).await;
    assert!(matches!(too_much, Err(GatewayError::Rejected(_))), "{too_much:?}");
    gateway.refund("r3", &reference, &eur(600)).await.unwrap();
    assert!(matches!(gateway.refund("r4", &reference, &eur(1)).await, Err(GatewayError::Rejected(_))));
    assert_eq!(gateway.payment(&reference).unwrap().refunded, eur(1000));
}

#[tokio::test]
async fn a_refund_key_repeated_refunds_once() {
    let gateway = SimulatedGateway::default();
    let reference = captured(&gateway, eur(1000)).await;
    let first = gateway.refund("r", &reference, &eur(700)).await.unwrap();
    let again = gateway.refund("r", &reference, &eur(700)).await.unwrap();
    assert_eq!(first, again);
    assert_eq!(gateway.payment(&reference).unwrap().refunded, eur(700));
}

#[tokio::test]
async fn an_uncaptured_payment_cannot_be_refunded() {
    let gateway = SimulatedGateway::default();
    let reference = gateway.authorize(&charge("a", "pm_card_visa", eur(1000))).await.unwrap().provider_reference;
    assert!(matches!(gateway.refund("r", &reference, &eur(1)).await, Err(GatewayError::Rejected(_))));
    assert!(matches!(gateway.refund("r2", "pi_unknown", &eur(1)).await, Err(GatewayError::Rejected(_))));
}

#[tokio::test]
async fn a_zero_authorisation_is_rejected() {
    let gateway = SimulatedGateway::default();
    assert!(matches!(gateway.authorize(&charge("a", "pm_card_visa", eur(0))).await, Err(GatewayError::Rejected(_))));
}

#[tokio::test]
async fn a_failure_rate_of_one_makes_every_call_unavailable_and_transient() {
    let gateway = SimulatedGateway::new(SimulatedOptions { latency: Duration::ZERO, failure_rate: 1.0 });
    let error = gateway.describe_method("pm_card_visa").await.unwrap_err();
    assert!(matches!(error, GatewayError::Unavailable(_)) && error.is_transient());
    for i in 0..20 {
        let answer = gateway.authorize(&charge(&format!("k{i}"), "pm_card_visa", eur(100))).await;
        assert!(matches!(answer, Err(GatewayError::Unavailable(_))), "{answer:?}");
    }
}

#[tokio::test]
async fn retrying_through_injected_failures_with_one_key_charges_exactly_once() {
    let gateway = SimulatedGateway::new(SimulatedOptions { latency: Duration::ZERO, failure_rate: 0.5 });
    for order in 0..20 {
        let request = charge(&format!("order-{order}"), "pm_card_visa", eur(100));
        let mut attempts = 0;
        let authorization = loop {
            attempts += 1;
            assert!(attempts < 200, "never got through");
            match gateway.authorize(&request).await {
                Ok(authorization) => break authorization,
                Err(error) => assert!(error.is_transient(), "{error:?}"),
            }
        };
        loop {
            match gateway.capture(&format!("capture-{order}"), &authorization.provider_reference, &eur(100)).await {
                Ok(()) => break,
                Err(error) => assert!(error.is_transient(), "{error:?}"),
            }
        }
    }
    let payments = gateway.payments();
    assert_eq!(payments.len(), 20, "one authorisation per order, whatever the failures");
    assert!(payments.iter().all(|p| p.captured == Some(eur(100))));
}

#[tokio::test]
async fn the_default_injects_no_failures() {
    let gateway = SimulatedGateway::default();
    assert_eq!(gateway.options(), SimulatedOptions { latency: Duration::ZERO, failure_rate: 0.0 });
    for i in 0..200 {
        gateway.authorize(&charge(&format!("k{i}"), "pm_card_visa", eur(100))).await.unwrap();
    }
}

#[tokio::test]
async fn latency_delays_every_call() {
    let gateway = SimulatedGateway::new(SimulatedOptions { latency: Duration::from_millis(50), failure_rate: 0.0 });
    let started = Instant::now();
    gateway.describe_method("pm_card_visa").await.unwrap();
    gateway.authorize(&charge("k", "pm_card_visa", eur(100))).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(100));
}

#[tokio::test]
async fn a_void_releases_an_uncaptured_authorisation_which_then_cannot_be_captured() {
    let gateway = SimulatedGateway::default();
    let reference = gateway.authorize(&charge("auth-v", "pm_card_visa", eur(900))).await.unwrap().provider_reference;
    gateway.void("void-1", &reference).await.unwrap();
    gateway.void("void-1", &reference).await.unwrap();
    assert!(gateway.payment(&reference).unwrap().voided);
    let again = gateway.void("void-2", &reference).await.unwrap_err();
    assert!(matches!(again, GatewayError::Rejected(_)), "{again:?}");
    let capture = gateway.capture("capture-v", &reference, &eur(900)).await.unwrap_err();
    assert!(matches!(capture, GatewayError::Rejected(_)), "{capture:?}");
    assert_eq!(gateway.payment(&reference).unwrap().captured, None);
}

#[tokio::test]
async fn a_captured_payment_cannot_be_voided_only_refunded() {
    let gateway = SimulatedGateway::default();
    let reference = captured(&gateway, eur(900)).await;
    let void = gateway.void("void-c", &reference).await.unwrap_err();
    assert!(matches!(void, GatewayError::Rejected(_)), "{void:?}");
    assert!(!gateway.payment(&reference).unwrap().voided);
}

#[tokio::test]
async fn a_journaled_simulator_remembers_every_answer_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("simulated-payments.jsonl");
    let (reference, declined) = {
        let gateway = SimulatedGateway::open(SimulatedOptions::default(), &path).unwrap();
        let reference =
            gateway.authorize(&charge("auth-j", "pm_card_visa", eur(2500))).await.unwrap().provider_reference;
        let declined = gateway.authorize(&charge("auth-d", "pm_card_chargeDeclined", eur(100))).await.unwrap_err();
        (reference, declined)
    };
    // As after a crash: a new process opens the same journal.
    let gateway = SimulatedGateway::open(SimulatedOptions::default(), &path).unwrap();
    let replayed = gateway.authorize(&charge("auth-j", "pm_card_visa", eur(2500))).await.unwrap();
    assert_eq!(replayed.provider_reference, reference, "the same key gets the same authorisation");
    assert_eq!(gateway.authorize(&charge("auth-d", "pm_card_chargeDeclined", eur(100))).await.unwrap_err(), declined);
    gateway.capture("capture-j", &reference, &eur(2500)).await.unwrap();
    gateway.refund("refund-j", &reference, &eur(500)).await.unwrap();
    drop(gateway);

    let gateway = SimulatedGateway::open(SimulatedOptions::default(), &path).unwrap();
    let payment = gateway.payment(&reference).unwrap();
    assert_eq!((payment.captured, payment.refunded), (Some(eur(2500)), eur(500)));
    assert_eq!(gateway.payments().len(), 1, "declines hold nothing");
    let too_much = gateway.refund("refund-k", &reference, &eur(2001)).await.unwrap_err();
    assert!(matches!(too_much, GatewayError::Rejected(_)), "{too_much:?}");
}

#[tokio::test]
async fn a_corrupt_journal_refuses_to_open_rather_than_forget() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("simulated-payments.jsonl");
    std::fs::write(&path, "{\"key\":\"x\"}\n").unwrap();
    let error = SimulatedGateway::open(SimulatedOptions::default(), &path).unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidData, "{error}");
}
