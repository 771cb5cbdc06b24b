//! Payment deadlines: an order awaiting payment is cancelled once its deadline passes.
//!
//! The timer asks the read store for saga states whose `deadline_ms` is due and
//! cancels each order through [`ExpirePaymentDeadline`], a guarded command on the
//! order stream: it cancels only if, at append time, the order still awaits payment
//! and its own deadline has passed. A new payment method that lands first wins, and
//! the cancellation's id is derived from the order and its deadline, so firing the
//! same deadline again (another tick, another process, a restart) changes nothing.

use chrono::{DateTime, Utc};
use emporium_domain::Decider;
use emporium_domain::ids::OrderId;
use emporium_domain::order::{Order, OrderCommand, OrderError, OrderEvent, OrderState, OrderStatus};
use emporium_infra::event_store::EventMetadata;
use emporium_infra::read_store::{Query, SortDirection};

use super::OrderFulfilment;
use super::advance::bounded;
use super::error::SagaError;
use super::ids;
use super::saga::Saga;
use super::state::FulfilmentState;
use super::trigger::ACTOR;

/// Most due deadlines fired per tick; the rest wait for the next tick.
const PER_TICK: u64 = 100;
/// Longest part of the last payment failure quoted in the cancellation reason.
const QUOTED_FAILURE_LEN: usize = 300;

/// Cancels an order whose payment deadline has passed, and nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpirePaymentDeadline {
    /// The order.
    pub order_id: OrderId,
    /// When the timer fired; the order's deadline must not be after it.
    pub at: DateTime<Utc>,
}

/// Why a deadline did not cancel the order.
#[derive(Debug, thiserror::Error)]
pub enum DeadlineError {
    /// The order is no longer awaiting payment (paid, new method, cancelled).
    #[error("the order is not awaiting payment")]
    NotAwaitingPayment,
    /// The order's deadline is later than the firing time (it was moved).
    #[error("the payment deadline has not passed yet")]
    NotDue,
    /// The order refused the cancellation.
    #[error(transparent)]
    Order(#[from] OrderError),
}

/// The order aggregate seen through the deadline rule: same stream, same events.
pub struct PaymentDeadline;

impl Decider for PaymentDeadline {
    const CATEGORY: &'static str = Order::CATEGORY;
    type State = OrderState;
    type Command = ExpirePaymentDeadline;
    type Event = OrderEvent;
    type Error = DeadlineError;

    fn decide(state: &OrderState, command: &ExpirePaymentDeadline) -> Result<Vec<OrderEvent>, DeadlineError> {
        let order = state.order().ok_or(OrderError::NotFound)?;
        if order.status != OrderStatus::AwaitingPayment {
            return Err(DeadlineError::NotAwaitingPayment);
        }
        let Some(deadline) = order.payment_deadline.filter(|deadline| *deadline <= command.at) else {
            return Err(DeadlineError::NotDue);
        };
        let mut reason = format!("payment deadline expired at {}", deadline.to_rfc3339());
        if let Some(failure) = &order.last_payment_failure {
            let quoted: String = failure.chars().take(QUOTED_FAILURE_LEN).collect();
            reason.push_str(&format!(" (last payment failure: {quoted})"));
        }
        let cancel = OrderCommand::Cancel { order_id: order.order_id, reason: bounded(&reason), at: command.at };
        Ok(Order::decide(state, &cancel)?)
    }

    fn evolve(state: OrderState, event: &OrderEvent) -> OrderState {
        Order::evolve(state, event)
    }
}

impl OrderFulfilment {
    /// Cancels every order whose payment deadline is due at `now`; returns how many
    /// were cancelled. The running saga calls this every `timer_interval`.
    pub async fn fire_due_deadlines(&self, now: DateTime<Utc>) -> Result<usize, SagaError> {
        fire_due(&self.saga, now).await
    }
}

#[tracing::instrument(skip_all, fields(now = %now))]
async fn fire_due(saga: &Saga, now: DateTime<Utc>) -> Result<usize, SagaError> {
    let query = Query::new()
        .range("deadline_ms", None, Some(now.timestamp_millis() as f64))
        .sort("deadline_ms", SortDirection::Asc)
        .page(0, PER_TICK);
    let due = saga.reads.query(OrderFulfilment::COLLECTION, &query).await?;
    let mut cancelled = 0;
    for doc in due.items {
        let state = FulfilmentState::from_doc("due deadline", doc)?;
        let Some(deadline_ms) = state.deadline_ms else { continue };
        let command_id = ids::deadline_command_id(state.order_id, deadline_ms);
        let metadata = EventMetadata {
            correlation_id: Some(command_id),
            actor: Some(ACTOR.to_owned()),
            ..EventMetadata::default()
        };
        let expire = ExpirePaymentDeadline { order_id: state.order_id, at: now };
        let step = format!("deadline/{deadline_ms}");
        match saga
            .issue_with::<PaymentDeadline>(command_id, metadata, &step, &state.order_id.to_string(), expire)
            .await?
        {
            Ok(outcome) if outcome.appended > 0 => {
                tracing::info!(order_id = %state.order_id, deadline_ms, "payment deadline expired; order cancelled");
                cancelled += 1;
            }
            Ok(_) => {}
            // The log has news the saga state has not caught up with; it will.
            Err(refusal) => tracing::debug!(order_id = %state.order_id, %refusal, "deadline not fired"),
        }
    }
    Ok(cancelled)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use emporium_domain::ids::CustomerId;
    use emporium_domain::money::{Currency, Money};
    use emporium_domain::order::{CountryCode, OrderCreated, OrderPaymentFailed, PricedOrderLine, ShippingAddress};
    use emporium_domain::values::{Quantity, Sku};
    use uuid::Uuid;

    use super::*;

    const ORDER: OrderId = OrderId::from_uuid(Uuid::from_u128(1));

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + secs, 0).unwrap()
    }

    fn created() -> OrderEvent {
        let usd = |amount| Money::new(amount, Currency::parse("USD").unwrap()).unwrap();
        OrderEvent::OrderCreated(OrderCreated {
            order_id: ORDER,
            customer_id: CustomerId::from_uuid(Uuid::from_u128(2)),
            lines: vec![PricedOrderLine {
                product_id: Uuid::from_u128(3).into(),
                sku: Sku::parse("MUG").unwrap(),
                name: "Mug".into(),
                unit_price: usd(500),
                quantity: Quantity::new(1).unwrap(),
                line_total: usd(500),
            }],
            coupon: None,
            subtotal: usd(500),
            discount: usd(0),
            total: usd(500),
            shipping_address: ShippingAddress {
                name: "Ann".into(),
                line1: "1 Main St".into(),
                line2: None,
                city: "Berlin".into(),
                postal_code: "10115".into(),
                country: CountryCode::parse("DE").unwrap(),
            },
            payment_method: "pm_card_chargeDeclined".into(),
            at: at(0),
        })
    }

    fn failed(deadline: i64) -> OrderEvent {
        OrderEvent::OrderPaymentFailed(OrderPaymentFailed {
            order_id: ORDER,
            reason: "payment declined: generic_decline".into(),
            deadline: at(deadline),
            at: at(1),
        })
    }

    fn expire(secs: i64) -> ExpirePaymentDeadline {
        ExpirePaymentDeadline { order_id: ORDER, at: at(secs) }
    }

    #[test]
    fn an_order_awaiting_payment_past_its_deadline_is_cancelled_with_the_reason() {
        let state = PaymentDeadline::replay(&[created(), failed(60)]);
        let events = PaymentDeadline::decide(&state, &expire(60)).unwrap();
        let [OrderEvent::OrderCancelled(cancelled)] = events.as_slice() else { panic!("{events:?}") };
        assert!(cancelled.reason.starts_with("payment deadline expired at "), "{}", cancelled.reason);
        assert!(cancelled.reason.ends_with("(last payment failure: payment declined: generic_decline)"));
        assert!(!cancelled.refund_due);
    }

    #[test]
    fn a_deadline_not_yet_due_or_an_order_no_longer_waiting_is_left_alone() {
        let waiting = PaymentDeadline::replay(&[created(), failed(60)]);
        assert!(matches!(PaymentDeadline::decide(&waiting, &expire(59)), Err(DeadlineError::NotDue)));
        let pending = PaymentDeadline::replay(&[created()]);
        assert!(matches!(PaymentDeadline::decide(&pending, &expire(99)), Err(DeadlineError::NotAwaitingPayment)));
        assert!(matches!(
            PaymentDeadline::decide(&OrderState::Absent, &expire(99)),
            Err(DeadlineError::Order(OrderError::NotFound))
        ));
    }
}
