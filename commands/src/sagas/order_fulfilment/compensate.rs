//! Compensation when an order is cancelled, whoever cancelled it: captured money is
//! refunded in full, an authorisation never captured is released at the provider (so
//! the customer's funds are not held until the hold lapses), held stock is released,
//! sold stock goes back on the shelf, and the coupon's use is given back.
//!
//! What to undo is read from the aggregates (each payment attempt's status, each
//! SKU's reservation), not assumed from the cancellation, so a cancellation that
//! raced the forward path still undoes exactly what happened.

use chrono::Utc;
use emporium_domain::coupon::{Coupon, CouponCommand};
use emporium_domain::ids::{CouponId, PaymentId};
use emporium_domain::inventory::{Inventory, InventoryCommand};
use emporium_domain::order::{Order, OrderCommand, PlacedOrder};
use emporium_domain::payment::{Payment, PaymentAttempt, PaymentCommand, PaymentStatus};
use emporium_infra::accounts::ClaimKind;
use emporium_infra::payments::GatewayError;

use super::error::SagaError;
use super::gateway::retrying;
use super::ids;
use super::order_log::OrderLog;
use super::reserve::{release_all, units_by_sku};
use super::saga::Saga;
use super::state::{FulfilmentState, Step, StockHold};
use super::trigger::Trigger;

/// Undoes what the order's fulfilment did.
#[tracing::instrument(skip_all, fields(order_id = %order.order_id, trigger = %trigger.event_id))]
pub(super) async fn compensate(
    saga: &Saga,
    trigger: &Trigger,
    order: &PlacedOrder,
    state: &mut FulfilmentState,
) -> Result<(), SagaError> {
    release_all(saga, trigger, "release", order).await?;
    if state.stock != StockHold::Committed && state.stock != StockHold::Restocked {
        state.stock = StockHold::Released;
    }
    restock(saga, trigger, order, state).await?;
    release_coupon(saga, trigger, order).await?;
    // Last, so an order shown as refunded has everything else undone already.
    let log = OrderLog::read(saga.handler.store().as_ref(), order.order_id).await?;
    let mut payments: Vec<PaymentId> =
        (1..=log.attempts()).map(|attempt| ids::payment_id(order.order_id, attempt)).collect();
    if let Some(paid_with) = order.payment_id.filter(|id| !payments.contains(id)) {
        payments.push(paid_with);
    }
    for payment_id in payments {
        release_authorization(saga, trigger, payment_id).await?;
        refund(saga, trigger, order, payment_id).await?;
    }
    state.step = Step::Cancelled;
    Ok(())
}

/// Releases a payment authorised but not captured, and records the attempt as failed
/// (abandoned) so that nothing captures it later.
async fn release_authorization(saga: &Saga, trigger: &Trigger, payment_id: PaymentId) -> Result<(), SagaError> {
    let state = saga.load::<Payment>(&payment_id.to_string()).await?;
    let Some(payment) = state.payment().filter(|payment| payment.status == PaymentStatus::Authorized) else {
        return Ok(());
    };
    let reference = payment.provider_reference.clone().unwrap_or_default();
    let key = ids::void_key(payment_id);
    match retrying(&saga.settings, "void", || saga.gateway.void(&key, &reference)).await {
        Ok(()) => tracing::info!(%payment_id, "uncaptured authorisation released"),
        Err(source @ GatewayError::Unavailable(_)) => return Err(SagaError::Gateway { call: "void", source }),
        // Already canceled or expired at the provider: nothing is held any more either way.
        Err(error) => tracing::warn!(%payment_id, %error, "the provider refused to release the authorisation"),
    }
    let command = PaymentCommand::Fail {
        payment_id,
        reason: "authorisation released: the order was cancelled".to_owned(),
        at: Utc::now(),
    };
    if let Err(refusal) =
        saga.issue::<Payment>(trigger, &format!("payment-void/{payment_id}"), &payment_id.to_string(), command).await?
    {
        tracing::warn!(%payment_id, %refusal, "recording the released authorisation was refused");
    }
    Ok(())
}

/// Refunds whatever of a payment is captured and not yet refunded.
async fn refund(saga: &Saga, trigger: &Trigger, order: &PlacedOrder, payment_id: PaymentId) -> Result<(), SagaError> {
    let state = saga.load::<Payment>(&payment_id.to_string()).await?;
    let Some(payment) = state.payment() else { return Ok(()) };
    let refund_id = trigger.command_id(&format!("refund/{payment_id}")).to_string();
    if payment.refund(&refund_id).is_none() {
        let Ok(amount) = payment.captured.checked_sub(&payment.refunded) else { return Ok(()) };
        if amount.amount() <= 0 {
            return Ok(());
        }
        if !refund_with_gateway(saga, payment, &refund_id).await? {
            return Ok(());
        }
        let command =
            PaymentCommand::Refund { payment_id, refund_id: refund_id.clone(), amount: Some(amount), at: Utc::now() };
        if let Err(refusal) = saga
            .issue::<Payment>(trigger, &format!("payment-refund/{payment_id}"), &payment_id.to_string(), command)
            .await?
        {
            tracing::warn!(%payment_id, %refusal, "recording the refund was refused");
            return Ok(());
        }
    }
    if order.payment_id != Some(payment_id) {
        return Ok(());
    }
    let refunded = saga.load::<Payment>(&payment_id.to_string()).await?;
    let Some(applied) = refunded.payment().and_then(|payment| payment.refund(&refund_id)).cloned() else {
        return Ok(());
    };
    let record = OrderCommand::RecordRefund { order_id: order.order_id, amount: applied.amount, at: Utc::now() };
    if let Err(refusal) =
        saga.issue::<Order>(trigger, &format!("order-refund/{payment_id}"), &order.order_id.to_string(), record).await?
    {
        tracing::warn!(%payment_id, %refusal, "the order did not take the refund");
    }
    Ok(())
}

/// Asks the gateway to give the money back; `false` when the provider refuses for good.
async fn refund_with_gateway(saga: &Saga, payment: &PaymentAttempt, refund_id: &str) -> Result<bool, SagaError> {
    let amount = payment.captured.checked_sub(&payment.refunded).unwrap_or(payment.captured);
    let reference = payment.provider_reference.clone().unwrap_or_default();
    let key = ids::refund_key(payment.payment_id, refund_id);
    match retrying(&saga.settings, "refund", || saga.gateway.refund(&key, &reference, &amount)).await {
        Ok(receipt) => {
            tracing::info!(payment_id = %payment.payment_id, provider_refund = %receipt.refund_id, %amount, "refunded");
            Ok(true)
        }
        Err(source @ GatewayError::Unavailable(_)) => Err(SagaError::Gateway { call: "refund", source }),
        Err(error) => {
            tracing::error!(payment_id = %payment.payment_id, %error, "the provider refused the refund; needs a person");
            Ok(false)
        }
    }
}

/// Puts sold units back: a confirmed order's SKUs, or those committed before a race.
async fn restock(
    saga: &Saga,
    trigger: &Trigger,
    order: &PlacedOrder,
    state: &mut FulfilmentState,
) -> Result<(), SagaError> {
    let committed: Vec<_> = units_by_sku(order)
        .into_iter()
        .filter(|(sku, _)| order.invoice_number.is_some() || state.committed_skus.contains(sku))
        .collect();
    if committed.is_empty() {
        return Ok(());
    }
    for (sku, units) in committed {
        let command = InventoryCommand::AdjustStock {
            sku: sku.clone(),
            delta: i64::try_from(units).unwrap_or(i64::MAX),
            reason: format!("order {} cancelled before shipping", order.order_id),
            at: Utc::now(),
        };
        if let Err(refusal) = saga.issue::<Inventory>(trigger, &format!("restock/{sku}"), sku.as_str(), command).await?
        {
            tracing::error!(%sku, %refusal, "sold units could not go back to stock");
        }
    }
    state.stock = StockHold::Restocked;
    Ok(())
}

/// Gives the coupon's use back, if the order had one.
async fn release_coupon(saga: &Saga, trigger: &Trigger, order: &PlacedOrder) -> Result<(), SagaError> {
    let Some(coupon) = &order.coupon else { return Ok(()) };
    let owner = saga.accounts.unique_owner(ClaimKind::CouponCode, &coupon.code).await?;
    let Some(coupon_id) = owner.as_deref().and_then(|owner| owner.parse::<CouponId>().ok()) else {
        tracing::warn!(code = %coupon.code, "no coupon holds this code; nothing to give back");
        return Ok(());
    };
    let command = CouponCommand::ReleaseRedemption { coupon_id, order_id: order.order_id, at: Utc::now() };
    if let Err(refusal) = saga.issue::<Coupon>(trigger, "coupon-release", &coupon_id.to_string(), command).await? {
        tracing::warn!(%coupon_id, %refusal, "the coupon did not give the use back");
    }
    Ok(())
}
