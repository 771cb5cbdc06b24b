//! Deterministic command ids for the steps of one intent (placing an order), so a
//! retry of the intent repeats no step: the event store answers a repeated command id
//! with its first outcome.

use emporium_domain::ids::OrderId;
use uuid::Uuid;

/// The command id of one step (`"checkout"`, `"redeem"`, `"create"`, …) of placing `order`.
pub fn step(order: OrderId, name: &str) -> Uuid {
    Uuid::new_v5(&order.as_uuid(), name.as_bytes())
}
