//! What the invoice sequence remembers: the last number and the order that got it.
//!
//! Nothing more, on purpose: the state stays the same size whatever the number of
//! invoices, so numbering costs the same on day 1000 as on day 1. Which order got which
//! number is in the events (and in each order's `OrderConfirmed`), not in the state.

use crate::ids::OrderId;

/// The sequence so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvoiceState {
    /// The highest number assigned (0 before the first).
    pub(super) last: u64,
    /// The order that got `last`.
    pub(super) last_order: Option<OrderId>,
}

impl InvoiceState {
    /// The highest number assigned so far (0 before the first).
    pub fn last_number(&self) -> u64 {
        self.last
    }

    /// The order that got the highest number, if any.
    pub fn last_order(&self) -> Option<OrderId> {
        self.last_order
    }
}
