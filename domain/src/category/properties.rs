//! Invariants of a category under any sequence of commands.

use proptest::prelude::*;

use super::tests::{create, rename};
use super::*;

fn command() -> impl Strategy<Value = CategoryCommand> {
    prop_oneof!["[ a-c]{0,4}".prop_map(|name| create(&name)), "[ a-c]{0,4}".prop_map(|name| rename(&name)),]
}

proptest! {
    #[test]
    fn the_name_is_the_last_accepted_one_and_replay_rebuilds_the_same_state(
        commands in prop::collection::vec(command(), 0..30),
    ) {
        let mut state = CategoryState::default();
        let mut history = Vec::new();
        for command in &commands {
            let Ok(events) = Category::decide(&state, command) else { continue };
            for event in events {
                let name = match &event {
                    CategoryEvent::CategoryCreated(e) => e.name.clone(),
                    CategoryEvent::CategoryRenamed(e) => e.name.clone(),
                };
                state = Category::evolve(state, &event);
                prop_assert_eq!(state.category().map(CategoryRecord::name), Some(name.as_str()));
                prop_assert!(!name.is_empty() && name.trim() == name);
                history.push(event);
            }
        }
        prop_assert_eq!(Category::replay(&history), state);
    }
}
