//! What the fulfilment saga asks of the invoice sequence.

use chrono::{DateTime, Utc};

use crate::ids::OrderId;

/// A request to the invoice sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvoiceCommand {
    /// Gives an order the next invoice number; again for the same order is a no-op.
    Assign {
        /// The order being confirmed.
        order_id: OrderId,
        /// When.
        at: DateTime<Utc>,
    },
}
