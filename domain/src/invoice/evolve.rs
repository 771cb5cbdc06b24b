//! Folds invoice facts into the sequence; never fails.

use super::event::InvoiceEvent;
use super::state::InvoiceState;

/// Applies one event to the sequence.
pub(super) fn evolve(mut state: InvoiceState, event: &InvoiceEvent) -> InvoiceState {
    match event {
        InvoiceEvent::InvoiceNumberAssigned(assigned) => {
            state.numbers.insert(assigned.order_id, assigned.number);
            state.last = state.last.max(assigned.number);
        }
    }
    state
}
