//! The sequence's one rule: the next number is the last plus one.
//!
//! Once per order is kept by whoever asks: the fulfilment saga derives the command id
//! from the order alone, and the event store records command ids in the same
//! transaction as the event, so a second request for the same order answers with the
//! first one's outcome. Asking again right after (the last order) is also a no-op here.

use super::command::InvoiceCommand;
use super::error::InvoiceError;
use super::event::{InvoiceEvent, InvoiceNumberAssigned};
use super::state::InvoiceState;

/// Checks a command against the sequence and returns the events it causes.
pub(super) fn decide(state: &InvoiceState, command: &InvoiceCommand) -> Result<Vec<InvoiceEvent>, InvoiceError> {
    match command {
        InvoiceCommand::Assign { order_id, at } => {
            // A retried assignment keeps the number the order already has.
            if state.last_order == Some(*order_id) {
                return Ok(Vec::new());
            }
            let number = state.last.checked_add(1).ok_or(InvoiceError::Exhausted)?;
            Ok(vec![InvoiceEvent::InvoiceNumberAssigned(InvoiceNumberAssigned {
                order_id: *order_id,
                number,
                at: *at,
            })])
        }
    }
}
