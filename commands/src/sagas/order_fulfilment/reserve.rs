//! Holding and giving back an order's stock, one inventory stream per SKU.
//!
//! Lines of the same SKU are reserved together (an order holds one reservation per
//! SKU). When a SKU cannot be reserved, what was already held is given back at once.

use chrono::Utc;
use emporium_domain::inventory::{Inventory, InventoryCommand, InventoryError};
use emporium_domain::order::PlacedOrder;
use emporium_domain::values::{Quantity, Sku};

use super::error::SagaError;
use super::saga::Saga;
use super::trigger::Trigger;

/// What reserving an order's lines came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Reservation {
    /// Every SKU is held.
    Held,
    /// A SKU could not be held; nothing is held any more.
    Short {
        /// The cancellation reason, naming the SKU.
        reason: String,
    },
}

/// The units an order needs per SKU, in the order the SKUs first appear.
pub(super) fn units_by_sku(order: &PlacedOrder) -> Vec<(Sku, u64)> {
    let mut units: Vec<(Sku, u64)> = Vec::new();
    for line in &order.lines {
        let quantity = u64::from(line.quantity.get());
        match units.iter_mut().find(|(sku, _)| *sku == line.sku) {
            Some((_, total)) => *total = total.saturating_add(quantity),
            None => units.push((line.sku.clone(), quantity)),
        }
    }
    units
}

/// Reserves every SKU of the order; on the first refusal releases the SKUs held so far.
#[tracing::instrument(skip_all, fields(order_id = %trigger.order_id, trigger = %trigger.event_id))]
pub(super) async fn reserve_lines(
    saga: &Saga,
    trigger: &Trigger,
    order: &PlacedOrder,
) -> Result<Reservation, SagaError> {
    let mut held = Vec::new();
    for (sku, units) in units_by_sku(order) {
        let refusal = match i64::try_from(units).ok().and_then(|units| Quantity::new(units).ok()) {
            None => Some(format!("cannot reserve {units} units of SKU {sku} in one order")),
            Some(quantity) => {
                let reserve =
                    InventoryCommand::Reserve { sku: sku.clone(), order_id: order.order_id, quantity, at: Utc::now() };
                match saga.issue::<Inventory>(trigger, &format!("reserve/{sku}"), sku.as_str(), reserve).await? {
                    Ok(_) => None,
                    Err(InventoryError::InsufficientStock { requested, available }) => {
                        Some(format!("insufficient stock for SKU {sku}: requested {requested}, available {available}"))
                    }
                    Err(other) => Some(format!("could not reserve SKU {sku}: {other}")),
                }
            }
        };
        match refusal {
            None => held.push(sku),
            Some(reason) => {
                tracing::info!(%reason, "reservation refused; releasing what was held");
                release_skus(saga, trigger, "release-after-shortage", order, &held).await?;
                return Ok(Reservation::Short { reason });
            }
        }
    }
    Ok(Reservation::Held)
}

/// Gives back the order's reservation of each SKU in `skus` (a no-op where it holds none).
pub(super) async fn release_skus(
    saga: &Saga,
    trigger: &Trigger,
    step: &str,
    order: &PlacedOrder,
    skus: &[Sku],
) -> Result<(), SagaError> {
    for sku in skus {
        let release = InventoryCommand::Release { sku: sku.clone(), order_id: order.order_id, at: Utc::now() };
        if let Err(refusal) = saga.issue::<Inventory>(trigger, &format!("{step}/{sku}"), sku.as_str(), release).await? {
            // Release never refuses today; if it ever does, nothing is held to give back.
            tracing::warn!(%sku, %refusal, "release refused");
        }
    }
    Ok(())
}

/// Gives back every reservation the order holds.
#[tracing::instrument(skip_all, fields(order_id = %trigger.order_id, trigger = %trigger.event_id, step))]
pub(super) async fn release_all(
    saga: &Saga,
    trigger: &Trigger,
    step: &str,
    order: &PlacedOrder,
) -> Result<(), SagaError> {
    let skus: Vec<Sku> = units_by_sku(order).into_iter().map(|(sku, _)| sku).collect();
    release_skus(saga, trigger, step, order, &skus).await
}
