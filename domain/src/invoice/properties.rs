//! Invariants of the invoice sequence under any sequence of assignments.

use proptest::prelude::*;

use super::tests::{assign, order};
use super::*;

proptest! {
    /// Numbers run 1, 2, 3 … with no gap and no repeat; asking again for the order
    /// that just got a number changes nothing; replaying the history gives the state.
    #[test]
    fn numbers_are_gap_free_and_unique(orders in prop::collection::vec(1u128..=12, 0..60)) {
        let mut state = InvoiceState::default();
        let mut history = Vec::new();
        let mut numbers = Vec::new();
        for n in &orders {
            let repeat = state.last_order() == Some(order(*n));
            let events = Invoice::decide(&state, &assign(*n)).unwrap();
            prop_assert_eq!(events.is_empty(), repeat);
            for event in &events {
                let InvoiceEvent::InvoiceNumberAssigned(assigned) = event;
                numbers.push(assigned.number);
                state = Invoice::evolve(state, event);
                history.push(event.clone());
            }
            prop_assert_eq!(state.last_order(), Some(order(*n)));
        }
        prop_assert_eq!(numbers, (1..=history.len() as u64).collect::<Vec<_>>());
        prop_assert_eq!(Invoice::replay(&history), state);
    }
}
