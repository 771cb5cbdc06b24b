//! The sequence's one rule: the next number is the last plus one, once per order.

use super::command::InvoiceCommand;
use super::error::InvoiceError;
use super::event::{InvoiceEvent, InvoiceNumberAssigned};
use super::state::InvoiceState;

/// Checks a command against the sequence and returns the events it causes.
pub(super) fn decide(state: &InvoiceState, command: &InvoiceCommand) -> Result<Vec<InvoiceEvent>, InvoiceError> {
    match command {
        InvoiceCommand::Assign { order_id, at } => {
            // A retried assignment keeps the number the order already has.
            if state.number_of(order_id).is_some() {
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
