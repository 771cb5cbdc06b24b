//! Invariants of a notification under any sequence of delivery reports: attempts
//! never exceed the policy's maximum, a final status is final, and replaying the
//! recorded events rebuilds the same state.

use proptest::prelude::*;

use super::tests::{ID, at, policy, queue};
use super::*;
use crate::decider::Decider;

fn report() -> impl Strategy<Value = NotificationCommand> {
    // Attempt numbers near the real ones, and times that are often but not always due.
    (1u32..=5, 0i64..=40, any::<bool>(), prop::bool::weighted(0.1)).prop_map(|(attempt, secs, success, permanent)| {
        if success {
            NotificationCommand::RecordSent { notification_id: ID, attempt, at: at(secs) }
        } else {
            NotificationCommand::RecordFailure {
                notification_id: ID,
                attempt,
                reason: "down".into(),
                permanent,
                at: at(secs),
            }
        }
    })
}

fn command() -> impl Strategy<Value = NotificationCommand> {
    prop_oneof![1 => Just(queue()), 9 => report()]
}

proptest! {
    #[test]
    fn attempts_never_exceed_the_maximum_and_final_statuses_stay_final(
        commands in prop::collection::vec(command(), 0..60),
    ) {
        let max = policy().max_attempts;
        let mut state = NotificationState::default();
        let mut history = Vec::new();
        for command in &commands {
            let before = state.notification().map(|r| r.status);
            let Ok(events) = Notification::decide(&state, command) else { continue };
            prop_assert!(before.is_none_or(|status| !status.is_final()), "{before:?} accepted {command:?}");
            for event in events {
                state = Notification::evolve(state, &event);
                history.push(event);
            }
            let record = state.notification().unwrap();
            prop_assert!(record.attempts <= max, "{} attempts of at most {max}", record.attempts);
            // Giving up happens exactly when the last allowed attempt fails.
            prop_assert!(record.status != NotificationStatus::GaveUp || record.attempts == max);
            prop_assert!(record.attempts < max || record.status.is_final());
        }
        let sent = history.iter().filter(|e| matches!(e, NotificationEvent::NotificationSent(_))).count();
        prop_assert!(sent <= 1, "sent {sent} times");
        prop_assert_eq!(Notification::replay(&history), state);
    }
}
