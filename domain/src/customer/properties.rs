//! Invariants of an account under any sequence of commands.

use std::collections::BTreeSet;

use proptest::prelude::*;

use super::tests::{at, id, register};
use super::*;

fn role() -> impl Strategy<Value = Role> {
    prop_oneof![Just(Role::Admin), Just(Role::Manager), Just(Role::Customer)]
}

fn command() -> impl Strategy<Value = CustomerCommand> {
    prop_oneof![
        Just(register()),
        Just(CustomerCommand::VerifyEmail { customer_id: id(), at: at(1) }),
        ("[ a-z]{0,8}", proptest::option::of("[0-9 +-]{3,22}"), any::<bool>()).prop_map(|(name, phone, opt_in)| {
            CustomerCommand::ChangeProfile { customer_id: id(), name, phone, marketing_opt_in: opt_in, at: at(2) }
        }),
        Just(CustomerCommand::RecordPasswordChange { customer_id: id(), at: at(3) }),
        role().prop_map(|role| CustomerCommand::GrantRole { customer_id: id(), role, at: at(4) }),
        role().prop_map(|role| CustomerCommand::RevokeRole { customer_id: id(), role, at: at(5) }),
    ]
}

proptest! {
    #[test]
    fn roles_follow_grants_and_revokes_and_replay_rebuilds_the_same_state(
        commands in prop::collection::vec(command(), 0..40),
    ) {
        let mut state = CustomerState::default();
        let mut history = Vec::new();
        let mut expected_roles: Option<BTreeSet<Role>> = None;
        for command in &commands {
            let was_registered = state.is_registered();
            let Ok(events) = Customer::decide(&state, command) else { continue };
            for event in events {
                match &event {
                    CustomerEvent::CustomerRegistered(_) => expected_roles = Some(BTreeSet::from([Role::Customer])),
                    CustomerEvent::CustomerRoleGranted(e) => {
                        prop_assert!(expected_roles.as_mut().is_some_and(|roles| roles.insert(e.role)));
                    }
                    CustomerEvent::CustomerRoleRevoked(e) => {
                        prop_assert!(expected_roles.as_mut().is_some_and(|roles| roles.remove(&e.role)));
                    }
                    _ => {}
                }
                state = Customer::evolve(state, &event);
                history.push(event);
            }
            // Registration is forever; nothing else opens an account.
            prop_assert!(!was_registered || state.is_registered());
            prop_assert_eq!(state.account().map(|a| a.roles().clone()), expected_roles.clone());
        }
        prop_assert_eq!(Customer::replay(&history), state);
    }
}
