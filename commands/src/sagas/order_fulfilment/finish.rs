//! Completing a paid order: the held units are sold (committed), the invoice sequence
//! gives the order its number, and the order is confirmed with it.

use chrono::Utc;
use emporium_domain::Decider;
use emporium_domain::inventory::{Inventory, InventoryCommand, InventoryError};
use emporium_domain::invoice::{Invoice, InvoiceCommand, InvoiceEvent};
use emporium_domain::order::{Order, OrderCommand, PlacedOrder};
use emporium_domain::values::Sku;
use emporium_infra::codec::decode;

use super::error::SagaError;
use super::ids;
use super::reserve::units_by_sku;
use super::saga::Saga;
use super::state::{FulfilmentState, StockHold};
use super::trigger::Trigger;
use crate::CommandOutcome;

/// What finishing the order came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Finished {
    /// The order is confirmed with this invoice number.
    Confirmed {
        /// The number.
        invoice_number: u64,
    },
    /// A SKU's reservation was gone, so the order cannot be fulfilled.
    StockLost {
        /// The cancellation reason, naming the SKU.
        reason: String,
    },
    /// Something else refused (the order moved on meanwhile); nothing more to do here.
    Stopped,
}

/// Commits every SKU, numbers the invoice and confirms the order.
#[tracing::instrument(skip_all, fields(order_id = %order.order_id, trigger = %trigger.event_id))]
pub(super) async fn finish(
    saga: &Saga,
    trigger: &Trigger,
    order: &PlacedOrder,
    state: &mut FulfilmentState,
) -> Result<Finished, SagaError> {
    for (sku, _) in units_by_sku(order) {
        let commit = InventoryCommand::Commit { sku: sku.clone(), order_id: order.order_id, at: Utc::now() };
        match saga.issue::<Inventory>(trigger, &format!("commit/{sku}"), sku.as_str(), commit).await? {
            Ok(_) => note_committed(state, &sku),
            Err(InventoryError::NoReservation(_)) => {
                return Ok(Finished::StockLost { reason: format!("the stock reservation for SKU {sku} was lost") });
            }
            Err(refusal) => {
                tracing::warn!(%sku, %refusal, "commit refused");
                return Ok(Finished::Stopped);
            }
        }
    }
    state.stock = StockHold::Committed;
    let assign = InvoiceCommand::Assign { order_id: order.order_id, at: Utc::now() };
    // One id per order, whatever triggered this step: the event store's command log
    // then keeps the order from ever getting a second number.
    let command_id = ids::invoice_command_id(order.order_id);
    let decided =
        saga.issue_with::<Invoice>(command_id, trigger.metadata(), "invoice", Invoice::SEQUENCE, assign).await?;
    let outcome = match decided {
        Ok(outcome) => outcome,
        Err(refusal) => {
            tracing::error!(%refusal, "no invoice number could be assigned");
            return Ok(Finished::Stopped);
        }
    };
    let Some(invoice_number) = invoice_number(saga, &outcome, order).await? else {
        tracing::error!("the invoice sequence lost the order's number");
        return Ok(Finished::Stopped);
    };
    let confirm = OrderCommand::Confirm { order_id: order.order_id, invoice_number, at: Utc::now() };
    match saga.issue::<Order>(trigger, "confirm", &order.order_id.to_string(), confirm).await? {
        Ok(_) => Ok(Finished::Confirmed { invoice_number }),
        Err(refusal) => {
            tracing::info!(%refusal, "confirmation refused; the order moved on");
            Ok(Finished::Stopped)
        }
    }
}

/// The order's invoice number: the sequence's event at the version the assignment
/// reported (appended now, the first time, or the last assignment when it was this
/// order's already), checked to be this order's.
async fn invoice_number(saga: &Saga, outcome: &CommandOutcome, order: &PlacedOrder) -> Result<Option<u64>, SagaError> {
    let stream_id = format!("{}-{}", Invoice::CATEGORY, Invoice::SEQUENCE);
    let page = saga.handler.store().read_stream(&stream_id, outcome.stream_version, 1).await?;
    Ok(page.iter().find_map(|recorded| match decode::<InvoiceEvent>(recorded) {
        Ok(InvoiceEvent::InvoiceNumberAssigned(assigned)) if assigned.order_id == order.order_id => {
            Some(assigned.number)
        }
        _ => None,
    }))
}

fn note_committed(state: &mut FulfilmentState, sku: &Sku) {
    if !state.committed_skus.contains(sku) {
        state.committed_skus.push(sku.clone());
    }
}
