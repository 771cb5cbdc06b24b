//! Folds a stock fact into the state; never fails, never validates.

use super::event::InventoryEvent;
use super::state::InventoryState;

/// Applies one event; counts saturate rather than wrap, since a fact cannot be refused.
pub(super) fn evolve(mut state: InventoryState, event: &InventoryEvent) -> InventoryState {
    state.sku = Some(event.sku().clone());
    match event {
        InventoryEvent::StockReceived(e) => {
            state.on_hand = state.on_hand.saturating_add(u64::from(e.quantity.get()));
        }
        InventoryEvent::StockAdjusted(e) => {
            let magnitude = e.delta.unsigned_abs();
            state.on_hand = if e.delta >= 0 {
                state.on_hand.saturating_add(magnitude)
            } else {
                state.on_hand.saturating_sub(magnitude)
            };
        }
        InventoryEvent::StockReserved(e) => {
            state.reservations.insert(e.order_id, e.quantity);
        }
        InventoryEvent::StockReleased(e) => {
            state.reservations.remove(&e.order_id);
        }
        InventoryEvent::StockCommitted(e) => {
            state.reservations.remove(&e.order_id);
            let sold = u64::from(e.quantity.get());
            state.on_hand = state.on_hand.saturating_sub(sold);
            state.committed = state.committed.saturating_add(sold);
        }
    }
    state
}
