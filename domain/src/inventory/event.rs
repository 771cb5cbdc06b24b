//! The facts recorded about a SKU's stock.
//!
//! Each event carries the movement and, for readers that only want levels, the
//! resulting `on_hand` and `available` counts; `evolve` relies on the movement alone.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::event::DomainEvent;
use crate::ids::OrderId;
use crate::values::{Quantity, Sku};

/// Something that happened to a SKU's stock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "event_type", content = "data")]
pub enum InventoryEvent {
    /// Units arrived.
    StockReceived(StockReceived),
    /// The count was corrected.
    StockAdjusted(StockAdjusted),
    /// Units were held for an order.
    StockReserved(StockReserved),
    /// An order's held units were given back.
    StockReleased(StockReleased),
    /// An order's held units were sold and left the stock.
    StockCommitted(StockCommitted),
}

/// Units arrived and are on hand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StockReceived {
    /// The SKU.
    pub sku: Sku,
    /// Units received.
    pub quantity: Quantity,
    /// Units on hand after this event.
    pub on_hand: u64,
    /// Units available (on hand minus reserved) after this event.
    pub available: u64,
    /// When.
    pub at: DateTime<Utc>,
}

/// The count was corrected by `delta` units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StockAdjusted {
    /// The SKU.
    pub sku: Sku,
    /// Units added (positive) or removed (negative); never zero.
    pub delta: i64,
    /// Why.
    pub reason: String,
    /// Units on hand after this event.
    pub on_hand: u64,
    /// Units available after this event.
    pub available: u64,
    /// When.
    pub at: DateTime<Utc>,
}

/// Units were held for an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StockReserved {
    /// The SKU.
    pub sku: Sku,
    /// The order holding the units.
    pub order_id: OrderId,
    /// Units held.
    pub quantity: Quantity,
    /// Units on hand after this event (unchanged by a reservation).
    pub on_hand: u64,
    /// Units available after this event.
    pub available: u64,
    /// When.
    pub at: DateTime<Utc>,
}

/// An order's whole reservation was given back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StockReleased {
    /// The SKU.
    pub sku: Sku,
    /// The order that held the units.
    pub order_id: OrderId,
    /// Units given back.
    pub quantity: Quantity,
    /// Units on hand after this event (unchanged by a release).
    pub on_hand: u64,
    /// Units available after this event.
    pub available: u64,
    /// When.
    pub at: DateTime<Utc>,
}

/// An order's reserved units were sold; they are no longer on hand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StockCommitted {
    /// The SKU.
    pub sku: Sku,
    /// The order the units were sold to.
    pub order_id: OrderId,
    /// Units sold.
    pub quantity: Quantity,
    /// Units on hand after this event.
    pub on_hand: u64,
    /// Units available after this event (unchanged by a commit).
    pub available: u64,
    /// When.
    pub at: DateTime<Utc>,
}

impl InventoryEvent {
    /// The SKU whose stream holds this event.
    pub fn sku(&self) -> &Sku {
        match self {
            Self::StockReceived(e) => &e.sku,
            Self::StockAdjusted(e) => &e.sku,
            Self::StockReserved(e) => &e.sku,
            Self::StockReleased(e) => &e.sku,
            Self::StockCommitted(e) => &e.sku,
        }
    }

    /// When it happened.
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            Self::StockReceived(e) => e.at,
            Self::StockAdjusted(e) => e.at,
            Self::StockReserved(e) => e.at,
            Self::StockReleased(e) => e.at,
            Self::StockCommitted(e) => e.at,
        }
    }
}

impl DomainEvent for InventoryEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::StockReceived(_) => "StockReceived",
            Self::StockAdjusted(_) => "StockAdjusted",
            Self::StockReserved(_) => "StockReserved",
            Self::StockReleased(_) => "StockReleased",
            Self::StockCommitted(_) => "StockCommitted",
        }
    }
}
