//! Folds invoice facts into the sequence; never fails.

use super::event::InvoiceEvent;
use super::state::InvoiceState;

/// Applies one event to the sequence.
pub(super) fn evolve(mut state: InvoiceState, event: &InvoiceEvent) -> InvoiceState {
    match event {
        InvoiceEvent::InvoiceNumberAssigned(assigned) => {
            if assigned.number > state.last {
                state.last = assigned.number;
                state.last_order = Some(assigned.order_id);
            }
        }
    }
    state
}
