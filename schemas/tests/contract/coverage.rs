//! The strategies and the registry name the same event types: each registered type is
//! generated, and nothing generated is unregistered.

use std::collections::BTreeSet;

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;

use crate::strategies::any_sample;

#[test]
fn strategies_generate_every_registered_event_type_and_nothing_else() {
    let registered: BTreeSet<(&str, &str)> =
        emporium_schemas::event_types().iter().map(|t| (t.category(), t.name())).collect();
    let strategy = any_sample();
    let mut runner = TestRunner::deterministic();
    let mut generated = BTreeSet::new();
    for _ in 0..20_000 {
        let sample = strategy.new_tree(&mut runner).unwrap().current();
        generated.insert((sample.category, sample.event_type));
        if generated == registered {
            break;
        }
    }
    let unregistered: Vec<_> = generated.difference(&registered).collect();
    let never_generated: Vec<_> = registered.difference(&generated).collect();
    assert!(unregistered.is_empty(), "generated but not registered: {unregistered:?}");
    assert!(never_generated.is_empty(), "registered but never generated (add a strategy): {never_generated:?}");
}
