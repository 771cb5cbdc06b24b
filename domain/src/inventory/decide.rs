//! The stock rules: what each command may do given the SKU's current stock.

use super::command::InventoryCommand;
use super::error::InventoryError;
use super::event::{InventoryEvent, StockAdjusted, StockCommitted, StockReceived, StockReleased, StockReserved};
use super::state::{InventoryState, MAX_ON_HAND};
use crate::values::{Quantity, bounded_text};

/// Longest reason an adjustment may give.
const MAX_REASON_CHARS: usize = 200;

/// Checks a command against the stock and returns the events it causes.
pub(super) fn decide(
    state: &InventoryState,
    command: &InventoryCommand,
) -> Result<Vec<InventoryEvent>, InventoryError> {
    match command {
        InventoryCommand::ReceiveStock { sku, quantity, at } => {
            let on_hand = add_on_hand(state.on_hand, u64::from(quantity.get()))?;
            Ok(vec![InventoryEvent::StockReceived(StockReceived {
                sku: sku.clone(),
                quantity: *quantity,
                on_hand,
                available: on_hand.saturating_sub(state.reserved()),
                at: *at,
            })])
        }
        InventoryCommand::AdjustStock { sku, delta, reason, at } => {
            let magnitude = delta.unsigned_abs();
            if magnitude == 0 || magnitude > u64::from(Quantity::MAX) {
                return Err(InventoryError::InvalidAdjustment(*delta));
            }
            let reason = bounded_text("reason", reason, MAX_REASON_CHARS).map_err(InventoryError::InvalidReason)?;
            let available = state.available();
            let on_hand = if *delta > 0 {
                add_on_hand(state.on_hand, magnitude)?
            } else if magnitude > available {
                return Err(InventoryError::AdjustmentExceedsAvailable { delta: *delta, available });
            } else {
                state.on_hand.saturating_sub(magnitude)
            };
            Ok(vec![InventoryEvent::StockAdjusted(StockAdjusted {
                sku: sku.clone(),
                delta: *delta,
                reason,
                on_hand,
                available: on_hand.saturating_sub(state.reserved()),
                at: *at,
            })])
        }
        InventoryCommand::Reserve { sku, order_id, quantity, at } => {
            // A retried reservation is harmless; a different one for the same order is a bug upstream.
            if let Some(held) = state.reservation(order_id) {
                return if held == *quantity {
                    Ok(vec![])
                } else {
                    Err(InventoryError::AlreadyReserved { order_id: *order_id, reserved: held.get() })
                };
            }
            let requested = u64::from(quantity.get());
            let available = state.available();
            if requested > available {
                return Err(InventoryError::InsufficientStock { requested, available });
            }
            Ok(vec![InventoryEvent::StockReserved(StockReserved {
                sku: sku.clone(),
                order_id: *order_id,
                quantity: *quantity,
                on_hand: state.on_hand,
                available: available - requested,
                at: *at,
            })])
        }
        InventoryCommand::Release { sku, order_id, at } => {
            // Releasing twice, or for an order that never reserved, changes nothing.
            let Some(held) = state.reservation(order_id) else {
                return Ok(vec![]);
            };
            Ok(vec![InventoryEvent::StockReleased(StockReleased {
                sku: sku.clone(),
                order_id: *order_id,
                quantity: held,
                on_hand: state.on_hand,
                available: state.available().saturating_add(u64::from(held.get())),
                at: *at,
            })])
        }
        InventoryCommand::Commit { sku, order_id, at } => {
            // Selling units nobody held would bypass the availability check, so it is refused.
            let held = state.reservation(order_id).ok_or(InventoryError::NoReservation(*order_id))?;
            Ok(vec![InventoryEvent::StockCommitted(StockCommitted {
                sku: sku.clone(),
                order_id: *order_id,
                quantity: held,
                on_hand: state.on_hand.saturating_sub(u64::from(held.get())),
                available: state.available(),
                at: *at,
            })])
        }
    }
}

/// `on_hand + units`, refused above [`MAX_ON_HAND`].
fn add_on_hand(on_hand: u64, units: u64) -> Result<u64, InventoryError> {
    on_hand
        .checked_add(units)
        .filter(|total| *total <= MAX_ON_HAND)
        .ok_or(InventoryError::OnHandLimitExceeded { max: MAX_ON_HAND })
}
