//! What the invoice sequence remembers: the last number and who got which.

use std::collections::BTreeMap;

use crate::ids::OrderId;

/// The sequence so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvoiceState {
    /// The highest number assigned (0 before the first).
    pub(super) last: u64,
    /// Each order's number.
    pub(super) numbers: BTreeMap<OrderId, u64>,
}

impl InvoiceState {
    /// The highest number assigned so far (0 before the first).
    pub fn last_number(&self) -> u64 {
        self.last
    }

    /// The number an order was given, if any.
    pub fn number_of(&self, order_id: &OrderId) -> Option<u64> {
        self.numbers.get(order_id).copied()
    }

    /// How many numbers were assigned.
    pub fn assigned(&self) -> usize {
        self.numbers.len()
    }
}
