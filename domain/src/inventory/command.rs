//! What callers ask of a SKU's stock.

use chrono::{DateTime, Utc};

use crate::ids::OrderId;
use crate::values::{Quantity, Sku};

/// A request to change one SKU's stock; `sku` names the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InventoryCommand {
    /// Units arrived and are now on hand.
    ReceiveStock {
        /// The SKU (the stream key).
        sku: Sku,
        /// How many units arrived.
        quantity: Quantity,
        /// When they arrived.
        at: DateTime<Utc>,
    },
    /// A correction after a count, damage or loss: `delta` units in (positive) or out.
    AdjustStock {
        /// The SKU (the stream key).
        sku: Sku,
        /// Non-zero, with `|delta| <= Quantity::MAX`.
        delta: i64,
        /// Why, for the audit trail (1-200 characters).
        reason: String,
        /// When the correction was made.
        at: DateTime<Utc>,
    },
    /// Hold units for an order until it is paid (commit) or cancelled (release).
    Reserve {
        /// The SKU (the stream key).
        sku: Sku,
        /// The order the units are held for.
        order_id: OrderId,
        /// How many units.
        quantity: Quantity,
        /// When.
        at: DateTime<Utc>,
    },
    /// Give back an order's whole reservation; a no-op when it holds none.
    Release {
        /// The SKU (the stream key).
        sku: Sku,
        /// The order whose reservation ends.
        order_id: OrderId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Turn an order's reserved units into sold units; they leave the stock.
    Commit {
        /// The SKU (the stream key).
        sku: Sku,
        /// The order whose reservation is sold.
        order_id: OrderId,
        /// When.
        at: DateTime<Utc>,
    },
}

impl InventoryCommand {
    /// The SKU this command is for, which names its stream.
    pub fn sku(&self) -> &Sku {
        match self {
            Self::ReceiveStock { sku, .. }
            | Self::AdjustStock { sku, .. }
            | Self::Reserve { sku, .. }
            | Self::Release { sku, .. }
            | Self::Commit { sku, .. } => sku,
        }
    }
}
