//! Which order events the saga reacts to, and how: the dispatch for one order's events
//! of a batch, in log order, ending with the order's new saga state.

use emporium_domain::Decider;
use emporium_domain::ids::OrderId;
use emporium_domain::order::{Order, OrderEvent};
use emporium_infra::codec::decode;
use emporium_infra::event_store::RecordedEvent;

use super::OrderFulfilment;
use super::advance::{Entry, advance};
use super::compensate::compensate;
use super::error::SagaError;
use super::saga::Saga;
use super::state::FulfilmentState;
use super::trigger::{ACTOR, Trigger};

/// Order event types that start or change the saga's work.
const REACTS_TO: [&str; 4] = ["OrderCreated", "OrderPaymentMethodChanged", "OrderCancelled", "PaymentProcessed"];
/// Order event types that only change what the saga state mirrors.
const OBSERVES: [&str; 6] =
    ["ItemsReserved", "OrderPaymentFailed", "OrderConfirmed", "OrderShipped", "OrderDelivered", "OrderRefunded"];

/// The order a log event concerns, if the saga cares about it.
pub(super) fn relevant(recorded: &RecordedEvent) -> Option<OrderId> {
    let is_order = recorded.category() == Order::CATEGORY;
    let wanted = REACTS_TO.contains(&recorded.event_type.as_str()) || OBSERVES.contains(&recorded.event_type.as_str());
    if !(is_order && wanted) {
        return None;
    }
    let id = recorded.stream_id.split_once('-').map(|(_, id)| id)?;
    match id.parse() {
        Ok(order_id) => Some(order_id),
        Err(error) => {
            tracing::warn!(stream_id = %recorded.stream_id, %error, "order stream with a malformed id; ignored");
            None
        }
    }
}

/// Handles one order's events in log order; returns the state to store.
#[tracing::instrument(skip_all, fields(order_id = %order_id, events = events.len()))]
pub(super) async fn handle_order(
    saga: &Saga,
    order_id: OrderId,
    events: &[RecordedEvent],
) -> Result<FulfilmentState, SagaError> {
    let key = order_id.to_string();
    let mut state = match saga.reads.get(OrderFulfilment::COLLECTION, &key).await? {
        Some(doc) => FulfilmentState::from_doc(&key, doc)?,
        None => FulfilmentState::new(order_id),
    };
    for recorded in events {
        handle_one(saga, order_id, recorded, &mut state).await?;
    }
    Ok(state)
}

async fn handle_one(
    saga: &Saga,
    order_id: OrderId,
    recorded: &RecordedEvent,
    state: &mut FulfilmentState,
) -> Result<(), SagaError> {
    let event: OrderEvent = match decode(recorded) {
        Ok(event) => event,
        Err(error) => {
            // Blocking every checkout on one unreadable event is worse than skipping it.
            tracing::error!(event_id = %recorded.event_id, position = recorded.global_position, %error, "undecodable order event skipped");
            return Ok(());
        }
    };
    let trigger = Trigger::new(recorded, order_id);
    match &event {
        OrderEvent::OrderCreated(_) | OrderEvent::OrderPaymentMethodChanged(_) => {
            advance(saga, &trigger, Entry::Checkout, state).await?;
        }
        OrderEvent::PaymentProcessed(_) if recorded.metadata.actor.as_deref() != Some(ACTOR) => {
            advance(saga, &trigger, Entry::PaidElsewhere, state).await?;
        }
        OrderEvent::OrderCancelled(_) => {
            if let Some(order) = saga.load::<Order>(&order_id.to_string()).await?.order() {
                compensate(saga, &trigger, order, state).await?;
            }
        }
        _ => {}
    }
    if let Some(order) = saga.load::<Order>(&order_id.to_string()).await?.order() {
        state.observe(order);
    }
    state.last_event_id = Some(recorded.event_id);
    state.position = recorded.global_position;
    Ok(())
}
