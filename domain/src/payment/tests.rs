//! Given / when / then scenarios for every payment command and refusal.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::*;
use crate::event::DomainEvent;
use crate::ids::{CustomerId, OrderId, PaymentId};
use crate::money::{Currency, Money, MoneyError};
use crate::testing::given;
use crate::values::ValueError;

fn at(minute: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_750_000_000, 0).unwrap() + Duration::minutes(minute)
}

fn usd(amount: i64) -> Money {
    Money::new(amount, Currency::parse("USD").unwrap()).unwrap()
}

fn eur(amount: i64) -> Money {
    Money::new(amount, Currency::parse("EUR").unwrap()).unwrap()
}

const PAYMENT: PaymentId = PaymentId::from_uuid(Uuid::from_u128(0x9A1));
const ORDER: OrderId = OrderId::from_uuid(Uuid::from_u128(0x0D));
const ANN: CustomerId = CustomerId::from_uuid(Uuid::from_u128(0xA1));
const TOKEN: &str = "pm_1NvXyZ2eZvKYlo2C";

fn request(amount: Money, token: &str) -> PaymentCommand {
    PaymentCommand::Request {
        payment_id: PAYMENT,
        order_id: ORDER,
        customer_id: ANN,
        amount,
        method_token: MethodToken::new(token),
        at: at(0),
    }
}

fn requested() -> PaymentEvent {
    PaymentEvent::PaymentRequested(PaymentRequested {
        payment_id: PAYMENT,
        order_id: ORDER,
        customer_id: ANN,
        amount: usd(4500),
        method_fingerprint: MethodToken::new(TOKEN).fingerprint(),
        at: at(0),
    })
}

fn authorized() -> PaymentEvent {
    PaymentEvent::PaymentAuthorized(PaymentAuthorized {
        payment_id: PAYMENT,
        order_id: ORDER,
        provider_reference: "ch_123".into(),
        amount: usd(4500),
        at: at(1),
    })
}

fn captured(amount: i64) -> PaymentEvent {
    PaymentEvent::PaymentCaptured(PaymentCaptured {
        payment_id: PAYMENT,
        order_id: ORDER,
        amount: usd(amount),
        at: at(2),
    })
}

fn failed() -> PaymentEvent {
    PaymentEvent::PaymentFailed(PaymentFailed {
        payment_id: PAYMENT,
        order_id: ORDER,
        reason: "card declined".into(),
        at: at(2),
    })
}

fn refunded(refund_id: &str, amount: i64, total: i64) -> PaymentEvent {
    PaymentEvent::PaymentRefunded(PaymentRefunded {
        payment_id: PAYMENT,
        order_id: ORDER,
        refund_id: refund_id.into(),
        amount: usd(amount),
        total_refunded: usd(total),
        at: at(3),
    })
}

fn authorize(reference: &str) -> PaymentCommand {
    PaymentCommand::Authorize { payment_id: PAYMENT, provider_reference: reference.into(), at: at(1) }
}

fn capture(amount: Money) -> PaymentCommand {
    PaymentCommand::Capture { payment_id: PAYMENT, amount, at: at(2) }
}

fn fail() -> PaymentCommand {
    PaymentCommand::Fail { payment_id: PAYMENT, reason: "card declined".into(), at: at(2) }
}

fn refund(refund_id: &str, amount: Option<Money>) -> PaymentCommand {
    PaymentCommand::Refund { payment_id: PAYMENT, refund_id: refund_id.into(), amount, at: at(3) }
}

fn captured_payment() -> Vec<PaymentEvent> {
    vec![requested(), authorized(), captured(4500)]
}

fn invalid(from: PaymentStatus, action: PaymentAction) -> PaymentError {
    PaymentError::InvalidTransition { from, action }
}

// --- Request ---

#[test]
fn requesting_a_payment_records_the_token_fingerprint_only() {
    let state = given::<Payment>(&[]).when(request(usd(4500), TOKEN)).then(&[requested()]);
    assert_eq!(state.payment().unwrap().status, PaymentStatus::Requested);
    let json = serde_json::to_string(&requested()).unwrap();
    assert!(!json.contains(TOKEN), "the token must not reach the event log: {json}");
}

#[test]
fn requesting_a_payment_twice_is_refused() {
    given::<Payment>(&[requested()]).when(request(usd(4500), TOKEN)).then_error(PaymentError::AlreadyExists);
}

#[test]
fn requesting_nothing_is_refused() {
    given::<Payment>(&[]).when(request(usd(0), TOKEN)).then_error(PaymentError::ZeroAmount);
}

#[test]
fn requesting_with_a_card_number_is_refused() {
    given::<Payment>(&[]).when(request(usd(4500), "4000 0566 5566 5556")).then_error(PaymentError::CardNumberRefused);
}

#[test]
fn requesting_without_a_token_is_refused() {
    given::<Payment>(&[])
        .when(request(usd(4500), " "))
        .then_error(PaymentError::InvalidValue(ValueError::InvalidText { field: "method_token", max: 500 }));
}

#[test]
fn a_request_never_prints_its_token() {
    assert!(!format!("{:?}", request(usd(1), TOKEN)).contains(TOKEN));
}

// --- Authorize ---

#[test]
fn authorizing_holds_the_requested_amount() {
    let state = given::<Payment>(&[requested()]).when(authorize("ch_123")).then(&[authorized()]);
    let payment = state.payment().unwrap();
    assert_eq!(payment.status, PaymentStatus::Authorized);
    assert_eq!(payment.authorized, usd(4500));
    assert_eq!(payment.provider_reference.as_deref(), Some("ch_123"));
}

#[test]
fn the_same_authorization_twice_changes_nothing() {
    given::<Payment>(&[requested(), authorized()]).when(authorize("ch_123")).then(&[]);
}

#[test]
fn another_authorization_is_refused() {
    given::<Payment>(&[requested(), authorized()])
        .when(authorize("ch_999"))
        .then_error(invalid(PaymentStatus::Authorized, PaymentAction::Authorize));
}

#[test]
fn authorizing_a_failed_payment_is_refused() {
    given::<Payment>(&[requested(), failed()]).when(authorize("ch_123")).then_error(PaymentError::AlreadyFailed);
}

#[test]
fn authorizing_without_a_reference_is_refused() {
    let error = given::<Payment>(&[requested()]).when(authorize("")).result().unwrap_err();
    assert_eq!(error.code(), "payment.invalid_value");
}

#[test]
fn authorizing_a_missing_payment_is_refused() {
    given::<Payment>(&[]).when(authorize("ch_123")).then_error(PaymentError::NotFound);
}

// --- Capture ---

#[test]
fn capturing_takes_the_money() {
    let state = given::<Payment>(&[requested(), authorized()]).when(capture(usd(4500))).then(&[captured(4500)]);
    let payment = state.payment().unwrap();
    assert_eq!(payment.status, PaymentStatus::Captured);
    assert_eq!(payment.captured, usd(4500));
}

#[test]
fn capturing_less_than_authorized_is_accepted() {
    given::<Payment>(&[requested(), authorized()]).when(capture(usd(4000))).then(&[captured(4000)]);
}

#[test]
fn capturing_more_than_authorized_is_refused() {
    given::<Payment>(&[requested(), authorized()])
        .when(capture(usd(4501)))
        .then_error(PaymentError::CaptureExceedsAuthorized { requested: usd(4501), authorized: usd(4500) });
}

#[test]
fn capturing_before_authorization_is_refused() {
    given::<Payment>(&[requested()])
        .when(capture(usd(4500)))
        .then_error(invalid(PaymentStatus::Requested, PaymentAction::Capture));
}

#[test]
fn capturing_twice_is_refused() {
    given::<Payment>(&captured_payment())
        .when(capture(usd(1)))
        .then_error(invalid(PaymentStatus::Captured, PaymentAction::Capture));
}

#[test]
fn capturing_nothing_is_refused() {
    given::<Payment>(&[requested(), authorized()]).when(capture(usd(0))).then_error(PaymentError::ZeroAmount);
}

#[test]
fn capturing_in_another_currency_is_refused() {
    let error = given::<Payment>(&[requested(), authorized()]).when(capture(eur(100))).result().unwrap_err();
    assert_eq!(error.code(), "payment.currency_mismatch");
}

#[test]
fn capturing_a_failed_payment_is_refused() {
    given::<Payment>(&[requested(), failed()]).when(capture(usd(1))).then_error(PaymentError::AlreadyFailed);
}

#[test]
fn capturing_a_missing_payment_is_refused() {
    given::<Payment>(&[]).when(capture(usd(1))).then_error(PaymentError::NotFound);
}

// --- Fail ---

#[test]
fn a_requested_payment_can_fail() {
    let state = given::<Payment>(&[requested()]).when(fail()).then(&[failed()]);
    let payment = state.payment().unwrap();
    assert_eq!(payment.status, PaymentStatus::Failed);
    assert_eq!(payment.failure_reason.as_deref(), Some("card declined"));
}

#[test]
fn an_authorized_payment_can_fail() {
    given::<Payment>(&[requested(), authorized()]).when(fail()).then(&[failed()]);
}

#[test]
fn a_captured_payment_cannot_fail() {
    given::<Payment>(&captured_payment())
        .when(fail())
        .then_error(invalid(PaymentStatus::Captured, PaymentAction::Fail));
}

#[test]
fn failing_twice_is_refused() {
    given::<Payment>(&[requested(), failed()]).when(fail()).then_error(PaymentError::AlreadyFailed);
}

#[test]
fn failing_without_a_reason_is_refused() {
    let command = PaymentCommand::Fail { payment_id: PAYMENT, reason: " ".into(), at: at(2) };
    let error = given::<Payment>(&[requested()]).when(command).result().unwrap_err();
    assert_eq!(error.code(), "payment.invalid_value");
}

#[test]
fn failing_a_missing_payment_is_refused() {
    given::<Payment>(&[]).when(fail()).then_error(PaymentError::NotFound);
}

// --- Refund ---

#[test]
fn a_partial_refund_leaves_the_rest_refundable() {
    let state =
        given::<Payment>(&captured_payment()).when(refund("r1", Some(usd(1000)))).then(&[refunded("r1", 1000, 1000)]);
    let payment = state.payment().unwrap();
    assert_eq!(payment.status, PaymentStatus::PartiallyRefunded);
    assert_eq!(payment.refunded, usd(1000));
}

#[test]
fn a_refund_without_amount_refunds_the_rest() {
    let mut history = captured_payment();
    history.push(refunded("r1", 1000, 1000));
    let state = given::<Payment>(&history).when(refund("r2", None)).then(&[refunded("r2", 3500, 4500)]);
    assert_eq!(state.payment().unwrap().status, PaymentStatus::Refunded);
}

#[test]
fn a_refund_already_applied_changes_nothing() {
    let mut history = captured_payment();
    history.push(refunded("r1", 4500, 4500));
    given::<Payment>(&history).when(refund("r1", Some(usd(4500)))).then(&[]);
}

#[test]
fn refunding_more_than_captured_minus_refunded_is_refused() {
    let mut history = captured_payment();
    history.push(refunded("r1", 1000, 1000));
    let error = given::<Payment>(&history).when(refund("r2", Some(usd(3501)))).result().unwrap_err();
    assert_eq!(error, PaymentError::RefundExceedsCaptured { requested: usd(3501), refundable: usd(3500) });
    assert_eq!(error.code(), "payment.refund_exceeds_captured");
}

#[test]
fn refunding_a_fully_refunded_payment_is_refused() {
    let mut history = captured_payment();
    history.push(refunded("r1", 4500, 4500));
    given::<Payment>(&history).when(refund("r2", None)).then_error(PaymentError::NothingToRefund);
    given::<Payment>(&history)
        .when(refund("r3", Some(usd(1))))
        .then_error(PaymentError::RefundExceedsCaptured { requested: usd(1), refundable: usd(0) });
}

#[test]
fn refunding_before_capture_is_refused() {
    given::<Payment>(&[requested(), authorized()]).when(refund("r1", None)).then_error(PaymentError::NotCaptured);
}

#[test]
fn refunding_a_failed_payment_is_refused() {
    given::<Payment>(&[requested(), failed()]).when(refund("r1", None)).then_error(PaymentError::AlreadyFailed);
}

#[test]
fn refunding_nothing_is_refused() {
    given::<Payment>(&captured_payment()).when(refund("r1", Some(usd(0)))).then_error(PaymentError::ZeroAmount);
}

#[test]
fn refunding_in_another_currency_is_refused() {
    let error = given::<Payment>(&captured_payment()).when(refund("r1", Some(eur(1)))).result().unwrap_err();
    assert_eq!(error.code(), "payment.currency_mismatch");
}

#[test]
fn refunding_without_a_refund_id_is_refused() {
    let error = given::<Payment>(&captured_payment()).when(refund("", None)).result().unwrap_err();
    assert_eq!(error.code(), "payment.invalid_value");
}

#[test]
fn refunding_a_missing_payment_is_refused() {
    given::<Payment>(&[]).when(refund("r1", None)).then_error(PaymentError::NotFound);
}

// --- Contract ---

#[test]
fn events_serialize_with_their_type_as_tag() {
    for event in [requested(), authorized(), captured(1), failed(), refunded("r1", 1, 1)] {
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["event_type"], event.event_type());
        assert_eq!(json["data"]["payment_id"], PAYMENT.to_string());
        assert!(json["data"]["at"].is_string());
        assert_eq!(serde_json::from_value::<PaymentEvent>(json).unwrap(), event);
    }
}

#[test]
fn error_codes_are_stable() {
    let usd_code = Currency::parse("USD").unwrap();
    let cases = [
        (PaymentError::NotFound, "payment.not_found"),
        (PaymentError::AlreadyExists, "payment.already_exists"),
        (PaymentError::ZeroAmount, "payment.zero_amount"),
        (PaymentError::CardNumberRefused, "payment.card_number_refused"),
        (PaymentError::InvalidValue(ValueError::InvalidQuantity(0)), "payment.invalid_value"),
        (PaymentError::AlreadyFailed, "payment.already_failed"),
        (invalid(PaymentStatus::Captured, PaymentAction::Fail), "payment.invalid_transition"),
        (
            PaymentError::CaptureExceedsAuthorized { requested: usd(2), authorized: usd(1) },
            "payment.capture_exceeds_authorized",
        ),
        (PaymentError::NotCaptured, "payment.not_captured"),
        (
            PaymentError::RefundExceedsCaptured { requested: usd(2), refundable: usd(1) },
            "payment.refund_exceeds_captured",
        ),
        (PaymentError::NothingToRefund, "payment.nothing_to_refund"),
        (PaymentError::Money(MoneyError::CurrencyMismatch(usd_code, usd_code)), "payment.currency_mismatch"),
        (PaymentError::Money(MoneyError::OutOfRange(-1)), "payment.amount_out_of_range"),
        (PaymentError::Money(MoneyError::InvalidCurrency("X".into())), "payment.invalid_currency"),
    ];
    for (error, code) in cases {
        assert_eq!(error.code(), code, "{error}");
    }
}
