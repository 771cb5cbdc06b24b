//! Customer accounts: registration, e-mail verification, profile and roles.
//!
//! Credentials never enter the log: the password is checked and hashed outside the
//! domain, which only records that it changed. E-mail uniqueness across accounts is
//! checked by the caller (a read model of registered addresses) before `Register`.
//! Layout:
//! - [`CustomerCommand`], [`CustomerEvent`], [`CustomerError`]: what is asked, what
//!   happened, why it was refused;
//! - [`CustomerState`] and [`Account`]: what an account remembers;
//! - [`Role`] and [`Phone`]: the account's value types;
//! - `decide` holds the rules, `evolve` folds the facts.

mod command;
mod decide;
mod error;
mod event;
mod evolve;
mod phone;
mod role;
mod state;

#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;

pub use command::CustomerCommand;
pub use error::CustomerError;
pub use event::{
    CustomerEmailVerified, CustomerEvent, CustomerPasswordChanged, CustomerProfileChanged, CustomerRegistered,
    CustomerRoleGranted, CustomerRoleRevoked,
};
pub use phone::Phone;
pub use role::Role;
pub use state::{Account, CustomerState};

use crate::decider::Decider;
use crate::ids::CustomerId;

/// The customer aggregate: one account as a decider.
pub struct Customer;

impl Customer {
    /// The stream holding an account, `customer-<id>`.
    pub fn stream_id(id: &CustomerId) -> String {
        format!("{}-{}", Self::CATEGORY, id)
    }
}

impl Decider for Customer {
    const CATEGORY: &'static str = "customer";
    type State = CustomerState;
    type Command = CustomerCommand;
    type Event = CustomerEvent;
    type Error = CustomerError;

    fn decide(state: &Self::State, command: &Self::Command) -> Result<Vec<Self::Event>, Self::Error> {
        decide::decide(state, command)
    }

    fn evolve(state: Self::State, event: &Self::Event) -> Self::State {
        evolve::evolve(state, event)
    }
}
