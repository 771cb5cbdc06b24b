//! Invariants of the invoice sequence under any sequence of assignments.

use std::collections::BTreeSet;

use proptest::prelude::*;

use super::tests::{assign, order};
use super::*;

proptest! {
    #[test]
    fn numbers_are_gap_free_unique_and_stable_per_order(orders in prop::collection::vec(1u128..=12, 0..60)) {
        let mut state = InvoiceState::default();
        let mut history = Vec::new();
        for n in &orders {
            let before = state.number_of(&order(*n));
            let events = Invoice::decide(&state, &assign(*n)).unwrap();
            prop_assert_eq!(events.is_empty(), before.is_some());
            for event in &events {
                state = Invoice::evolve(state, event);
                history.push(event.clone());
            }
            prop_assert_eq!(state.number_of(&order(*n)), before.or(Some(state.last_number())));
        }
        let distinct: BTreeSet<_> = orders.iter().collect();
        let numbers: BTreeSet<u64> = distinct.iter().filter_map(|n| state.number_of(&order(**n))).collect();
        prop_assert_eq!(numbers, (1..=distinct.len() as u64).collect::<BTreeSet<_>>());
        prop_assert_eq!(Invoice::replay(&history), state);
    }
}
