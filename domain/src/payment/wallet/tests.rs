//! Given / when / then scenarios for every wallet command and refusal.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::*;
use crate::event::DomainEvent;
use crate::ids::{CustomerId, PaymentMethodId};
use crate::payment::MethodToken;
use crate::testing::given;
use crate::values::ValueError;

fn at(minute: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_750_000_000, 0).unwrap() + Duration::minutes(minute)
}

const ANN: CustomerId = CustomerId::from_uuid(Uuid::from_u128(0xA1));
const VISA: PaymentMethodId = PaymentMethodId::from_uuid(Uuid::from_u128(1));
const AMEX: PaymentMethodId = PaymentMethodId::from_uuid(Uuid::from_u128(2));
const TOKEN: &str = "pm_1NvXyZ2eZvKYlo2C";

fn save(method_id: PaymentMethodId, token: &str, last4: &str) -> WalletCommand {
    WalletCommand::SaveMethod {
        customer_id: ANN,
        method_id,
        provider: "Stripe".into(),
        token: MethodToken::new(token),
        brand: "Visa".into(),
        last4: last4.into(),
        at: at(0),
    }
}

fn saved(method_id: PaymentMethodId, token: &str) -> WalletEvent {
    WalletEvent::PaymentMethodSaved(PaymentMethodSaved {
        customer_id: ANN,
        method_id,
        provider: "stripe".into(),
        brand: "visa".into(),
        last4: "4242".into(),
        token_fingerprint: MethodToken::new(token).fingerprint(),
        at: at(0),
    })
}

fn remove(method_id: PaymentMethodId) -> WalletCommand {
    WalletCommand::RemoveMethod { customer_id: ANN, method_id, at: at(1) }
}

#[test]
fn saving_a_method_records_its_fingerprint_not_its_token() {
    let state = given::<Wallet>(&[]).when(save(VISA, TOKEN, "4242")).then(&[saved(VISA, TOKEN)]);
    assert_eq!(state.wallet().unwrap().methods.len(), 1);
    let json = serde_json::to_string(&saved(VISA, TOKEN)).unwrap();
    assert!(!json.contains(TOKEN), "the token must not reach the event log: {json}");
}

#[test]
fn saving_a_second_method_adds_it() {
    let state =
        given::<Wallet>(&[saved(VISA, TOKEN)]).when(save(AMEX, "pm_other", "4242")).then(&[saved(AMEX, "pm_other")]);
    assert_eq!(state.wallet().unwrap().methods.len(), 2);
}

#[test]
fn saving_the_same_token_again_changes_nothing() {
    given::<Wallet>(&[saved(VISA, TOKEN)]).when(save(AMEX, TOKEN, "4242")).then(&[]);
}

#[test]
fn saving_a_card_number_as_token_is_refused() {
    given::<Wallet>(&[]).when(save(VISA, "4242-4242-4242-4242", "4242")).then_error(WalletError::CardNumberRefused);
}

#[test]
fn saving_with_a_last4_that_is_not_four_digits_is_refused() {
    for last4 in ["424", "42424", "42a2", ""] {
        given::<Wallet>(&[]).when(save(VISA, TOKEN, last4)).then_error(WalletError::InvalidLast4);
    }
}

#[test]
fn saving_a_blank_token_is_refused() {
    given::<Wallet>(&[])
        .when(save(VISA, "  ", "4242"))
        .then_error(WalletError::InvalidValue(ValueError::InvalidText { field: "token", max: 500 }));
}

#[test]
fn saving_a_blank_provider_is_refused() {
    let mut command = save(VISA, TOKEN, "4242");
    if let WalletCommand::SaveMethod { provider, .. } = &mut command {
        *provider = String::new();
    }
    given::<Wallet>(&[])
        .when(command)
        .then_error(WalletError::InvalidValue(ValueError::InvalidText { field: "provider", max: MAX_LABEL_LEN }));
}

#[test]
fn saving_under_a_used_method_id_is_refused() {
    given::<Wallet>(&[saved(VISA, TOKEN)])
        .when(save(VISA, "pm_other", "4242"))
        .then_error(WalletError::MethodIdTaken(VISA));
}

#[test]
fn saving_a_twenty_first_method_is_refused() {
    let history: Vec<WalletEvent> = (0..MAX_METHODS as u128)
        .map(|n| saved(PaymentMethodId::from_uuid(Uuid::from_u128(100 + n)), &format!("pm_{n}")))
        .collect();
    given::<Wallet>(&history)
        .when(save(VISA, TOKEN, "4242"))
        .then_error(WalletError::TooManyMethods { max: MAX_METHODS });
}

#[test]
fn removing_a_method_forgets_it() {
    let state = given::<Wallet>(&[saved(VISA, TOKEN), saved(AMEX, "pm_other")]).when(remove(VISA)).then(&[
        WalletEvent::PaymentMethodRemoved(PaymentMethodRemoved { customer_id: ANN, method_id: VISA, at: at(1) }),
    ]);
    let wallet = state.wallet().unwrap();
    assert!(wallet.method(VISA).is_none());
    assert!(wallet.method(AMEX).is_some());
}

#[test]
fn a_removed_token_can_be_saved_again() {
    let removed =
        WalletEvent::PaymentMethodRemoved(PaymentMethodRemoved { customer_id: ANN, method_id: VISA, at: at(1) });
    given::<Wallet>(&[saved(VISA, TOKEN), removed]).when(save(AMEX, TOKEN, "4242")).then(&[saved(AMEX, TOKEN)]);
}

#[test]
fn removing_an_unknown_method_is_refused() {
    given::<Wallet>(&[saved(VISA, TOKEN)]).when(remove(AMEX)).then_error(WalletError::MethodNotFound(AMEX));
}

#[test]
fn removing_from_a_missing_wallet_is_refused() {
    given::<Wallet>(&[]).when(remove(VISA)).then_error(WalletError::MethodNotFound(VISA));
}

#[test]
fn events_serialize_with_their_type_as_tag() {
    let removed =
        WalletEvent::PaymentMethodRemoved(PaymentMethodRemoved { customer_id: ANN, method_id: VISA, at: at(1) });
    for event in [saved(VISA, TOKEN), removed] {
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["event_type"], event.event_type());
        assert_eq!(json["data"]["customer_id"], ANN.to_string());
        assert!(json["data"]["at"].is_string());
        assert_eq!(serde_json::from_value::<WalletEvent>(json).unwrap(), event);
    }
}

#[test]
fn error_codes_are_stable() {
    let cases = [
        (WalletError::CardNumberRefused, "wallet.card_number_refused"),
        (WalletError::InvalidLast4, "wallet.invalid_last4"),
        (WalletError::TooManyMethods { max: 1 }, "wallet.too_many_methods"),
        (WalletError::MethodIdTaken(VISA), "wallet.method_id_taken"),
        (WalletError::MethodNotFound(VISA), "wallet.method_not_found"),
        (WalletError::InvalidValue(ValueError::InvalidQuantity(0)), "wallet.invalid_value"),
    ];
    for (error, code) in cases {
        assert_eq!(error.code(), code, "{error}");
    }
}
