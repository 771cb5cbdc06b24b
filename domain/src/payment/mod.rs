//! Payments: one aggregate per payment attempt, and each customer's wallet of saved
//! payment methods.
//!
//! No card number or provider token ever enters an event: commands carry a
//! [`MethodToken`] (which never prints), events its [`TokenFingerprint`], and anything
//! shaped like a card number is refused. Layout:
//! - [`PaymentCommand`] (command.rs), [`PaymentEvent`] and its payloads (event.rs);
//! - [`PaymentStatus`], [`PaymentAction`] (status.rs);
//! - [`PaymentState`] (state.rs), folded by `evolve` (evolve.rs);
//! - the rules in `decide` (decide.rs), refusals in [`PaymentError`] (error.rs);
//! - [`MethodToken`], [`TokenFingerprint`], [`looks_like_card_number`] (token.rs);
//! - [`wallet`]: saved payment methods, the `wallet` aggregate.

mod command;
mod decide;
mod error;
mod event;
mod evolve;
mod state;
mod status;
mod token;
pub mod wallet;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod properties;
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;

pub use command::PaymentCommand;
pub use error::PaymentError;
pub use event::{PaymentAuthorized, PaymentCaptured, PaymentEvent, PaymentFailed, PaymentRefunded, PaymentRequested};
pub use state::{AppliedRefund, PaymentAttempt, PaymentState};
pub use status::{PaymentAction, PaymentStatus};
pub use token::{MethodToken, TokenFingerprint, looks_like_card_number};
pub use wallet::{Wallet, WalletCommand, WalletError, WalletEvent, WalletState};

use crate::decider::Decider;

/// Longest provider reference and refund id.
pub const MAX_REFERENCE_LEN: usize = 200;

/// Longest failure reason.
pub const MAX_REASON_LEN: usize = 500;

/// The payment aggregate, one per attempt; streams are `payment-<PaymentId>`.
pub struct Payment;

impl Decider for Payment {
    const CATEGORY: &'static str = "payment";
    type State = PaymentState;
    type Command = PaymentCommand;
    type Event = PaymentEvent;
    type Error = PaymentError;

    fn decide(state: &PaymentState, command: &PaymentCommand) -> Result<Vec<PaymentEvent>, PaymentError> {
        decide::decide(state, command)
    }

    fn evolve(state: PaymentState, event: &PaymentEvent) -> PaymentState {
        evolve::evolve(state, event)
    }
}
