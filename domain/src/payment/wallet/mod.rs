//! A customer's wallet of saved payment methods (at most [`MAX_METHODS`]).
//!
//! The wallet records what a shopper needs to recognise a method (provider, brand,
//! last four digits) and the fingerprint of the provider's token, never the token:
//! saving the same token twice changes nothing. Layout: [`WalletCommand`]
//! (command.rs), [`WalletEvent`] (event.rs), [`WalletState`] (state.rs) folded by
//! `evolve` (evolve.rs), the rules in `decide` (decide.rs), [`WalletError`] (error.rs).

mod command;
mod decide;
mod error;
mod event;
mod evolve;
mod state;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod properties;
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;

pub use command::WalletCommand;
pub use error::WalletError;
pub use event::{PaymentMethodRemoved, PaymentMethodSaved, WalletEvent};
pub use state::{CustomerWallet, SavedMethod, WalletState};

use crate::decider::Decider;

/// Most methods one wallet may hold.
pub const MAX_METHODS: usize = 20;

/// Longest provider and brand name.
pub const MAX_LABEL_LEN: usize = 50;

/// The wallet aggregate, one per customer; streams are `wallet-<CustomerId>`.
pub struct Wallet;

impl Decider for Wallet {
    const CATEGORY: &'static str = "wallet";
    type State = WalletState;
    type Command = WalletCommand;
    type Event = WalletEvent;
    type Error = WalletError;

    fn decide(state: &WalletState, command: &WalletCommand) -> Result<Vec<WalletEvent>, WalletError> {
        decide::decide(state, command)
    }

    fn evolve(state: WalletState, event: &WalletEvent) -> WalletState {
        evolve::evolve(state, event)
    }
}
