//! The forward path: reserve every line, take the payment, commit, number, confirm.
//!
//! Run on `OrderCreated`, on `OrderPaymentMethodChanged` (a new attempt) and on a
//! payment recorded by someone else. Each stage looks at the order as it is now, so a
//! redelivered trigger resumes where the last run stopped, and every command id comes
//! from the trigger, so nothing that already happened happens again.

use chrono::{DateTime, Utc};
use emporium_domain::order::{MAX_REASON_LEN, Order, OrderCommand, OrderState, OrderStatus, PlacedOrder};

use super::error::SagaError;
use super::finish::{Finished, finish};
use super::order_log::OrderLog;
use super::pay::{Paid, take_payment};
use super::reserve::{Reservation, release_all, reserve_lines};
use super::saga::Saga;
use super::state::{FulfilmentState, Step, StockHold};
use super::trigger::Trigger;

/// Why the forward path runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Entry {
    /// The order was placed or got a new payment method: reserve, pay, confirm.
    Checkout,
    /// Someone else recorded a payment: reserve and confirm.
    PaidElsewhere,
}

/// Moves the order as far forward as it can go for this trigger.
#[tracing::instrument(skip_all, fields(order_id = %trigger.order_id, trigger = %trigger.event_id, ?entry))]
pub(super) async fn advance(
    saga: &Saga,
    trigger: &Trigger,
    entry: Entry,
    state: &mut FulfilmentState,
) -> Result<(), SagaError> {
    let log = OrderLog::read(saga.handler.store().as_ref(), trigger.order_id).await?;
    if log.superseded_after(trigger.stream_version) {
        tracing::debug!("a later event took over; nothing to do");
        return Ok(());
    }
    let order_key = trigger.order_id.to_string();
    let Some(order) = current(saga, &order_key).await? else { return Ok(()) };
    let workable = match order.status {
        OrderStatus::Pending => true,
        // Paid but not confirmed: an earlier run stopped after the payment.
        OrderStatus::Paid => true,
        _ => false,
    };
    if !workable {
        return Ok(());
    }
    state.attempt = state.attempt.max(log.attempt_at(trigger.stream_version));
    if entry == Entry::Checkout {
        state.step = Step::Reserving;
    }
    if let Reservation::Short { reason } = reserve_lines(saga, trigger, &order).await? {
        state.stock = StockHold::Released;
        return cancel(saga, trigger, "cancel/insufficient-stock", &order, &reason).await;
    }
    state.stock = StockHold::Reserved;
    let mark = OrderCommand::MarkItemsReserved { order_id: order.order_id, at: Utc::now() };
    if saga.issue::<Order>(trigger, "mark-items-reserved", &order_key, mark).await?.is_err() {
        // The order moved on (cancelled): its cancellation gives the stock back.
        return Ok(());
    }
    let Some(order) = current(saga, &order_key).await? else { return Ok(()) };
    if !order.is_paid() {
        if order.status != OrderStatus::Pending {
            return Ok(());
        }
        state.step = Step::Paying;
        state.payment_id = Some(super::ids::payment_id(order.order_id, state.attempt));
        match take_payment(saga, trigger, &order, state.attempt).await? {
            Paid::Failed { reason } => return declined(saga, trigger, &order, state, &reason).await,
            Paid::Captured { payment_id, amount } => {
                let record = OrderCommand::RecordPaymentProcessed {
                    order_id: order.order_id,
                    payment_id,
                    amount,
                    at: Utc::now(),
                };
                if let Err(refusal) = saga.issue::<Order>(trigger, "record-payment", &order_key, record).await? {
                    // Cancelled while paying: its cancellation refunds the capture.
                    tracing::info!(%refusal, "the order did not take the payment");
                    return Ok(());
                }
            }
        }
    }
    state.step = Step::Confirming;
    let Some(order) = current(saga, &order_key).await? else { return Ok(()) };
    if order.status != OrderStatus::Paid {
        return Ok(());
    }
    match finish(saga, trigger, &order, state).await? {
        Finished::Confirmed { invoice_number } => {
            state.invoice_number = Some(invoice_number);
            state.step = Step::Confirmed;
        }
        Finished::StockLost { reason } => cancel(saga, trigger, "cancel/stock-lost", &order, &reason).await?,
        Finished::Stopped => {}
    }
    Ok(())
}

/// The payment failed: give the stock back and let the order wait for a new method.
async fn declined(
    saga: &Saga,
    trigger: &Trigger,
    order: &PlacedOrder,
    state: &mut FulfilmentState,
    reason: &str,
) -> Result<(), SagaError> {
    release_all(saga, trigger, "release-after-decline", order).await?;
    state.stock = StockHold::Released;
    let deadline = deadline_after(Utc::now(), saga.settings.payment_deadline);
    let failed = OrderCommand::RecordPaymentFailed {
        order_id: order.order_id,
        reason: bounded(reason),
        deadline,
        at: Utc::now(),
    };
    if let Err(refusal) =
        saga.issue::<Order>(trigger, "record-payment-failed", &order.order_id.to_string(), failed).await?
    {
        tracing::info!(%refusal, "the order did not take the payment failure");
    }
    state.step = Step::AwaitingPayment;
    state.reason = Some(reason.to_owned());
    Ok(())
}

/// Cancels the order; its `OrderCancelled` then runs the compensation.
async fn cancel(
    saga: &Saga,
    trigger: &Trigger,
    step: &str,
    order: &PlacedOrder,
    reason: &str,
) -> Result<(), SagaError> {
    let cancel = OrderCommand::Cancel { order_id: order.order_id, reason: bounded(reason), at: Utc::now() };
    if let Err(refusal) = saga.issue::<Order>(trigger, step, &order.order_id.to_string(), cancel).await? {
        tracing::warn!(%refusal, "cancellation refused");
    }
    Ok(())
}

/// The order as it is now, if it exists.
async fn current(saga: &Saga, order_key: &str) -> Result<Option<PlacedOrder>, SagaError> {
    let state: OrderState = saga.load::<Order>(order_key).await?;
    Ok(state.order().cloned())
}

/// `now + wait`, to the millisecond (the precision the timer stores).
fn deadline_after(now: DateTime<Utc>, wait: std::time::Duration) -> DateTime<Utc> {
    let wait_ms = i64::try_from(wait.as_millis()).unwrap_or(i64::MAX);
    let millis = now.timestamp_millis().saturating_add(wait_ms);
    DateTime::from_timestamp_millis(millis).unwrap_or(now)
}

/// A reason cut to what the order accepts.
pub(super) fn bounded(reason: &str) -> String {
    reason.chars().take(MAX_REASON_LEN).collect()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn deadlines_are_whole_milliseconds_after_now() {
        let now = DateTime::from_timestamp(1_700_000_000, 123_456_789).unwrap_or_default();
        let deadline = deadline_after(now, Duration::from_secs(900));
        assert_eq!(deadline.timestamp_millis(), now.timestamp_millis() + 900_000);
        assert_eq!(deadline.timestamp_subsec_nanos() % 1_000_000, 0);
    }

    #[test]
    fn reasons_are_cut_to_the_orders_limit() {
        assert_eq!(bounded(&"x".repeat(MAX_REASON_LEN + 10)).chars().count(), MAX_REASON_LEN);
    }
}
