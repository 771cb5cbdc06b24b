//! Invoice numbers: one shop-wide sequence that hands each confirmed order the next
//! number, with no gaps and no number given twice.
//!
//! The whole sequence is one stream (`invoice-sequence`) with one event per number, so
//! the number an assignment gives is its event's stream version: the store's
//! expected-version check makes numbers unique and its gap-free stream versions make
//! them gap-free. Concurrent assignments conflict on the version and are retried by the
//! command handler; the order that wins gets `last + 1`. The state is only the last
//! number (constant size; the handler's state cache keeps it, so nobody folds the
//! history), and once-per-order is the caller's command id (see `decide`).
//! Layout:
//! - [`InvoiceCommand`], [`InvoiceEvent`], [`InvoiceError`]: what is asked, what
//!   happened, why it was refused;
//! - [`InvoiceState`]: the last number and the order that got it;
//! - `decide` holds the rules, `evolve` folds the facts.

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

pub use command::InvoiceCommand;
pub use error::InvoiceError;
pub use event::{InvoiceEvent, InvoiceNumberAssigned};
pub use state::InvoiceState;

use crate::decider::Decider;

/// The invoice-number aggregate; its one stream is `invoice-sequence`.
pub struct Invoice;

impl Invoice {
    /// The aggregate id of the one sequence: the `sequence` of `invoice-sequence`.
    pub const SEQUENCE: &'static str = "sequence";
}

impl Decider for Invoice {
    const CATEGORY: &'static str = "invoice";
    type State = InvoiceState;
    type Command = InvoiceCommand;
    type Event = InvoiceEvent;
    type Error = InvoiceError;

    fn decide(state: &InvoiceState, command: &InvoiceCommand) -> Result<Vec<InvoiceEvent>, InvoiceError> {
        decide::decide(state, command)
    }

    fn evolve(state: InvoiceState, event: &InvoiceEvent) -> InvoiceState {
        evolve::evolve(state, event)
    }
}
