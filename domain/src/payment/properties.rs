//! Properties of payment attempts under any sequence of commands.

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use uuid::Uuid;

use super::*;
use crate::decider::Decider;
use crate::ids::{CustomerId, OrderId, PaymentId};
use crate::money::{Currency, Money};

const PAYMENT: PaymentId = PaymentId::from_uuid(Uuid::from_u128(0x9A1));

fn at(minute: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_750_000_000, 0).unwrap() + Duration::minutes(minute)
}

/// Few distinct amounts, so captures and refunds often meet the amounts before them.
fn money() -> impl Strategy<Value = Money> {
    let currency = prop_oneof![19 => Just("USD"), 1 => Just("EUR")];
    let amount = prop_oneof![
        1 => Just(0i64),
        4 => Just(500),
        4 => Just(1_000),
        4 => Just(2_500),
        2 => 1i64..=5_000,
    ];
    (amount, currency).prop_map(|(amount, code)| Money::new(amount, Currency::parse(code).unwrap()).unwrap())
}

fn request() -> impl Strategy<Value = PaymentCommand> {
    money().prop_map(|amount| PaymentCommand::Request {
        payment_id: PAYMENT,
        order_id: OrderId::from_uuid(Uuid::from_u128(0x0D)),
        customer_id: CustomerId::from_uuid(Uuid::from_u128(0xA1)),
        amount,
        method_token: MethodToken::new("pm_prop"),
        at: at(0),
    })
}

/// A request first (usually accepted), then anything.
fn commands() -> impl Strategy<Value = Vec<PaymentCommand>> {
    (request(), proptest::collection::vec(command(), 0..40)).prop_map(|(first, mut rest)| {
        rest.insert(0, first);
        rest
    })
}

fn command() -> impl Strategy<Value = PaymentCommand> {
    prop_oneof![
        1 => request(),
        3 => prop_oneof![Just("ch_1"), Just("ch_2")].prop_map(|reference| PaymentCommand::Authorize {
            payment_id: PAYMENT,
            provider_reference: reference.into(),
            at: at(1),
        }),
        3 => money().prop_map(|amount| PaymentCommand::Capture { payment_id: PAYMENT, amount, at: at(2) }),
        1 => Just(PaymentCommand::Fail { payment_id: PAYMENT, reason: "declined".into(), at: at(3) }),
        5 => (0u8..6, proptest::option::weighted(0.7, money())).prop_map(|(n, amount)| PaymentCommand::Refund {
            payment_id: PAYMENT,
            refund_id: format!("refund-{n}"),
            amount,
            at: at(4),
        }),
    ]
}

fn run(commands: &[PaymentCommand]) -> (Vec<PaymentState>, Vec<PaymentEvent>) {
    let mut state = PaymentState::default();
    let mut states = vec![state.clone()];
    let mut history = Vec::new();
    for command in commands {
        if let Ok(events) = Payment::decide(&state, command) {
            for event in events {
                state = Payment::evolve(state, &event);
                history.push(event);
            }
            states.push(state.clone());
        }
    }
    (states, history)
}

proptest! {
    #[test]
    fn refunds_never_exceed_captures_and_captures_never_exceed_authorizations(
        commands in commands()
    ) {
        let (states, _) = run(&commands);
        for state in &states {
            let Some(payment) = state.payment() else { continue };
            let refunds: i64 = payment.refunds.iter().map(|refund| refund.amount.amount()).sum();
            prop_assert_eq!(refunds, payment.refunded.amount());
            prop_assert!(payment.refunded.amount() <= payment.captured.amount());
            prop_assert!(payment.captured.amount() <= payment.authorized.amount());
            prop_assert!(payment.authorized.amount() <= payment.amount.amount());
            let ids: std::collections::HashSet<_> = payment.refunds.iter().map(|refund| &refund.refund_id).collect();
            prop_assert_eq!(ids.len(), payment.refunds.len(), "each refund id applies once");
        }
    }

    #[test]
    fn replaying_the_stored_events_rebuilds_the_same_state(
        commands in commands()
    ) {
        let (states, history) = run(&commands);
        let stored: Vec<PaymentEvent> = history
            .iter()
            .map(|event| serde_json::from_str(&serde_json::to_string(event).unwrap()).unwrap())
            .collect();
        prop_assert_eq!(&stored, &history);
        prop_assert_eq!(Some(&Payment::replay(&stored)), states.last());
    }
}
