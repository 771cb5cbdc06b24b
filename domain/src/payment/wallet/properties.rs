//! Properties of wallets under any sequence of commands.

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use uuid::Uuid;

use super::*;
use crate::decider::Decider;
use crate::ids::{CustomerId, PaymentMethodId};
use crate::payment::MethodToken;

const ANN: CustomerId = CustomerId::from_uuid(Uuid::from_u128(0xA1));

fn at() -> DateTime<Utc> {
    DateTime::from_timestamp(1_750_000_000, 0).unwrap()
}

fn method_id() -> impl Strategy<Value = PaymentMethodId> {
    (0u128..30).prop_map(|n| PaymentMethodId::from_uuid(Uuid::from_u128(n)))
}

fn command() -> impl Strategy<Value = WalletCommand> {
    let token = prop_oneof![
        8 => (0u8..30).prop_map(|n| format!("pm_token_{n}")),
        1 => Just("4111 1111 1111 1111".to_owned()),
    ];
    prop_oneof![
        4 => (method_id(), token).prop_map(|(method_id, token)| WalletCommand::SaveMethod {
            customer_id: ANN,
            method_id,
            provider: "stripe".into(),
            token: MethodToken::new(token),
            brand: "visa".into(),
            last4: "4242".into(),
            at: at(),
        }),
        1 => method_id().prop_map(|method_id| WalletCommand::RemoveMethod { customer_id: ANN, method_id, at: at() }),
    ]
}

proptest! {
    #[test]
    fn a_wallet_holds_at_most_twenty_distinct_tokens_and_never_a_token_in_its_log(
        commands in proptest::collection::vec(command(), 0..80)
    ) {
        let mut state = WalletState::default();
        let mut history = Vec::new();
        for command in &commands {
            if let Ok(events) = Wallet::decide(&state, command) {
                for event in events {
                    state = Wallet::evolve(state, &event);
                    history.push(event);
                }
            }
            if let Some(wallet) = state.wallet() {
                prop_assert!(wallet.methods.len() <= MAX_METHODS);
                for (i, method) in wallet.methods.iter().enumerate() {
                    let distinct = wallet.methods[..i].iter().all(|other| {
                        other.method_id != method.method_id && other.token_fingerprint != method.token_fingerprint
                    });
                    prop_assert!(distinct, "method ids and tokens are unique");
                }
            }
        }
        let log = serde_json::to_string(&history).unwrap();
        prop_assert!(!log.contains("pm_token_") && !log.contains("4111"));
        let stored: Vec<WalletEvent> = serde_json::from_str(&log).unwrap();
        prop_assert_eq!(Wallet::replay(&stored), state);
    }
}
