//! Folds order events into the state; never fails.

use chrono::{DateTime, Utc};

use super::event::{OrderCreated, OrderEvent};
use super::state::{OrderState, PlacedOrder, Shipment};
use super::status::OrderStatus;
use crate::money::Money;

/// Applies one event to an order.
pub(super) fn evolve(state: OrderState, event: &OrderEvent) -> OrderState {
    match (state, event) {
        (OrderState::Absent, OrderEvent::OrderCreated(created)) => OrderState::Present(create(created)),
        // Only OrderCreated can start an order; anything else before it changes nothing.
        (OrderState::Absent, _) => OrderState::Absent,
        (OrderState::Present(order), event) => OrderState::Present(apply(order, event)),
    }
}

fn create(created: &OrderCreated) -> PlacedOrder {
    let currency = created.total.currency();
    PlacedOrder {
        order_id: created.order_id,
        customer_id: created.customer_id,
        lines: created.lines.clone(),
        coupon: created.coupon.clone(),
        subtotal: created.subtotal,
        discount: created.discount,
        total: created.total,
        shipping_address: created.shipping_address.clone(),
        payment_method: created.payment_method.clone(),
        status: OrderStatus::Pending,
        status_history: vec![(OrderStatus::Pending, created.at)],
        items_reserved: false,
        payment_id: None,
        paid: Money::zero(currency),
        last_payment_failure: None,
        payment_deadline: None,
        invoice_number: None,
        shipment: None,
        cancellation_reason: None,
        refunded: Money::zero(currency),
        created_at: created.at,
        updated_at: created.at,
    }
}

fn apply(mut order: PlacedOrder, event: &OrderEvent) -> PlacedOrder {
    match event {
        // A second OrderCreated cannot be decided; replaying one changes nothing.
        OrderEvent::OrderCreated(_) => {}
        OrderEvent::ItemsReserved(reserved) => {
            order.items_reserved = true;
            order.updated_at = reserved.at;
        }
        OrderEvent::PaymentProcessed(paid) => {
            order.payment_id = Some(paid.payment_id);
            order.paid = paid.amount;
            order.payment_deadline = None;
            set_status(&mut order, OrderStatus::Paid, paid.at);
        }
        OrderEvent::OrderPaymentFailed(failed) => {
            order.last_payment_failure = Some(failed.reason.clone());
            order.payment_deadline = Some(failed.deadline);
            set_status(&mut order, OrderStatus::AwaitingPayment, failed.at);
        }
        OrderEvent::OrderPaymentMethodChanged(changed) => {
            order.payment_method.clone_from(&changed.payment_method);
            order.payment_deadline = None;
            set_status(&mut order, OrderStatus::Pending, changed.at);
        }
        OrderEvent::OrderConfirmed(confirmed) => {
            order.invoice_number = Some(confirmed.invoice_number);
            set_status(&mut order, OrderStatus::Confirmed, confirmed.at);
        }
        OrderEvent::OrderShipped(shipped) => {
            order.shipment =
                Some(Shipment { carrier: shipped.carrier.clone(), tracking_number: shipped.tracking_number.clone() });
            set_status(&mut order, OrderStatus::Shipped, shipped.at);
        }
        OrderEvent::OrderDelivered(delivered) => set_status(&mut order, OrderStatus::Delivered, delivered.at),
        OrderEvent::OrderCancelled(cancelled) => {
            order.cancellation_reason = Some(cancelled.reason.clone());
            order.payment_deadline = None;
            set_status(&mut order, OrderStatus::Cancelled, cancelled.at);
        }
        OrderEvent::OrderRefunded(refunded) => {
            order.refunded = refunded.total_refunded;
            if refunded.fully_refunded {
                set_status(&mut order, OrderStatus::Refunded, refunded.at);
            } else {
                order.updated_at = refunded.at;
            }
        }
    }
    order
}

/// Moves to `status`, recording it in the history unless the order is already there.
fn set_status(order: &mut PlacedOrder, status: OrderStatus, at: DateTime<Utc>) {
    if order.status != status {
        order.status = status;
        order.status_history.push((status, at));
    }
    order.updated_at = at;
}
