//! Folds an account fact into the state; never fails, never validates.

use std::collections::BTreeSet;

use super::event::CustomerEvent;
use super::role::Role;
use super::state::{Account, CustomerState};

/// Applies one event. Facts about an account that was never registered are ignored.
pub(super) fn evolve(mut state: CustomerState, event: &CustomerEvent) -> CustomerState {
    if let CustomerEvent::CustomerRegistered(e) = event {
        state.account = Some(Account {
            id: e.customer_id,
            email: e.email.clone(),
            email_verified: false,
            name: e.name.clone(),
            phone: None,
            marketing_opt_in: false,
            roles: BTreeSet::from([Role::Customer]),
            registered_at: e.at,
            password_changed_at: None,
        });
        return state;
    }
    let Some(account) = state.account.as_mut() else {
        return state;
    };
    match event {
        CustomerEvent::CustomerRegistered(_) => {}
        CustomerEvent::CustomerEmailVerified(_) => account.email_verified = true,
        CustomerEvent::CustomerProfileChanged(e) => {
            account.name = e.name.clone();
            account.phone = e.phone.clone();
            account.marketing_opt_in = e.marketing_opt_in;
        }
        CustomerEvent::CustomerPasswordChanged(e) => account.password_changed_at = Some(e.at),
        CustomerEvent::CustomerRoleGranted(e) => {
            account.roles.insert(e.role);
        }
        CustomerEvent::CustomerRoleRevoked(e) => {
            account.roles.remove(&e.role);
        }
    }
    state
}
