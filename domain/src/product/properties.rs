//! Invariants of a product under any sequence of commands.

use proptest::prelude::*;

use super::tests::{assign, category, change_details, change_price, create, discontinue, money};
use super::*;

fn command() -> impl Strategy<Value = ProductCommand> {
    prop_oneof![
        Just(create()),
        ("[ a-c]{0,4}", "[ a-c]{0,4}", prop::collection::vec(prop_oneof![Just("https://x.io/a"), Just("x")], 0..3))
            .prop_map(|(name, description, images)| change_details(
                &name,
                &description,
                images.into_iter().map(String::from).collect()
            )),
        (0i64..5, prop_oneof![Just("USD"), Just("EUR")])
            .prop_map(|(amount, currency)| change_price(money(amount, currency))),
        (1u128..=3).prop_map(|n| assign(category(n))),
        Just(discontinue()),
    ]
}

proptest! {
    #[test]
    fn currency_is_fixed_discontinued_is_final_and_replay_rebuilds_the_same_state(
        commands in prop::collection::vec(command(), 0..40),
    ) {
        let mut state = ProductState::default();
        let mut history = Vec::new();
        for command in &commands {
            let before = state.clone();
            let Ok(events) = Product::decide(&state, command) else { continue };
            for event in events {
                state = Product::evolve(state, &event);
                history.push(event);
            }
            if let (Some(old), Some(new)) = (before.product(), state.product()) {
                prop_assert_eq!(old.price().currency(), new.price().currency());
                prop_assert_eq!(old.sku(), new.sku());
                if old.is_discontinued() {
                    prop_assert_eq!(&before, &state);
                }
            }
        }
        prop_assert_eq!(Product::replay(&history), state);
    }
}
