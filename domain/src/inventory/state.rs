//! What a SKU's stream remembers: units on hand and who holds which of them.

use std::collections::BTreeMap;

use crate::ids::OrderId;
use crate::values::{Quantity, Sku};

/// The most units one SKU may have on hand; keeps every count far from overflow.
pub const MAX_ON_HAND: u64 = 1_000_000_000;

/// One SKU's stock. `sku` is `None` until the stream's first event.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InventoryState {
    /// The SKU, once the stream has any event.
    pub(super) sku: Option<Sku>,
    /// Units physically held and not yet sold (reserved ones included).
    pub(super) on_hand: u64,
    /// Units held for each order.
    pub(super) reservations: BTreeMap<OrderId, Quantity>,
    /// Units sold over the stream's life.
    pub(super) committed: u64,
}

impl InventoryState {
    /// The SKU, or `None` when the stream has no events yet.
    pub fn sku(&self) -> Option<&Sku> {
        self.sku.as_ref()
    }

    /// True once the stream has any event.
    pub fn exists(&self) -> bool {
        self.sku.is_some()
    }

    /// Units physically held and not yet sold, reserved ones included.
    pub fn on_hand(&self) -> u64 {
        self.on_hand
    }

    /// Units held for orders.
    pub fn reserved(&self) -> u64 {
        self.reservations.values().map(|q| u64::from(q.get())).sum()
    }

    /// Units that can still be reserved: on hand minus reserved.
    pub fn available(&self) -> u64 {
        self.on_hand.saturating_sub(self.reserved())
    }

    /// Units sold over the stream's life.
    pub fn committed(&self) -> u64 {
        self.committed
    }

    /// The units an order holds, if any.
    pub fn reservation(&self, order_id: &OrderId) -> Option<Quantity> {
        self.reservations.get(order_id).copied()
    }

    /// Every order's reservation, ordered by order id.
    pub fn reservations(&self) -> impl Iterator<Item = (&OrderId, &Quantity)> {
        self.reservations.iter()
    }
}
