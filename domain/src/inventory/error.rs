//! Why a stock command was refused.

use crate::ids::OrderId;
use crate::values::ValueError;

/// A refused stock command; [`InventoryError::code`] gives its stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InventoryError {
    /// Fewer units are available than an order asked to reserve.
    #[error("insufficient stock: requested {requested}, available {available}")]
    InsufficientStock {
        /// Units asked for.
        requested: u64,
        /// Units available.
        available: u64,
    },
    /// A negative adjustment would take away units that are reserved or not there.
    #[error("adjustment of {delta} exceeds the {available} available units")]
    AdjustmentExceedsAvailable {
        /// The refused adjustment.
        delta: i64,
        /// Units available.
        available: u64,
    },
    /// An adjustment of zero or of more than `Quantity::MAX` units.
    #[error("adjustment {0} must be non-zero and at most {max} units", max = crate::values::Quantity::MAX)]
    InvalidAdjustment(i64),
    /// The adjustment's reason is empty or too long.
    #[error("invalid reason: {0}")]
    InvalidReason(ValueError),
    /// Receiving or adding the units would exceed [`super::MAX_ON_HAND`].
    #[error("on-hand stock would exceed {max} units")]
    OnHandLimitExceeded {
        /// The limit.
        max: u64,
    },
    /// The order already holds a different reservation of this SKU.
    #[error("order {order_id} already holds {reserved} units")]
    AlreadyReserved {
        /// The order.
        order_id: OrderId,
        /// Units it already holds.
        reserved: u32,
    },
    /// Commit of an order that holds no reservation of this SKU.
    #[error("order {0} holds no reservation")]
    NoReservation(OrderId),
}

impl InventoryError {
    /// The stable, documented code of this refusal.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InsufficientStock { .. } => "inventory.insufficient_stock",
            Self::AdjustmentExceedsAvailable { .. } => "inventory.adjustment_exceeds_available",
            Self::InvalidAdjustment(_) => "inventory.invalid_adjustment",
            Self::InvalidReason(_) => "inventory.invalid_reason",
            Self::OnHandLimitExceeded { .. } => "inventory.on_hand_limit_exceeded",
            Self::AlreadyReserved { .. } => "inventory.already_reserved",
            Self::NoReservation(_) => "inventory.no_reservation",
        }
    }
}
