//! The order's rules: which commands are accepted and which facts they cause.

use chrono::{DateTime, Utc};

use super::address::ShippingAddress;
use super::command::OrderCommand;
use super::error::OrderError;
use super::event::{
    ItemsReserved, OrderCancelled, OrderConfirmed, OrderCreated, OrderDelivered, OrderEvent, OrderPaymentFailed,
    OrderPaymentMethodChanged, OrderRefunded, OrderShipped, PaymentProcessed,
};
use super::line::{OrderCoupon, OrderLine};
use super::state::{OrderState, PlacedOrder};
use super::status::{OrderAction, OrderStatus};
use super::totals::{order_totals, price_line};
use super::{MAX_ORDER_LINES, MAX_REASON_LEN};
use crate::cart::{MAX_NAME_LEN, discount_is_valid, normalize_coupon_code};
use crate::discount::Discount;
use crate::ids::{CustomerId, OrderId, PaymentId};
use crate::money::{Money, MoneyError};
use crate::payment::looks_like_card_number;
use crate::values::bounded_text;

/// Longest payment method reference.
const MAX_PAYMENT_METHOD_LEN: usize = 200;
/// Longest carrier name and tracking number.
const MAX_SHIPMENT_FIELD_LEN: usize = 100;

/// Checks a command against the order and returns the events it causes.
pub(super) fn decide(state: &OrderState, command: &OrderCommand) -> Result<Vec<OrderEvent>, OrderError> {
    if let OrderCommand::Create { order_id, customer_id, lines, coupon, shipping_address, payment_method, at } = command
    {
        if state.order().is_some() {
            return Err(OrderError::AlreadyExists);
        }
        let placed = NewOrder {
            order_id: *order_id,
            customer_id: *customer_id,
            lines,
            coupon: coupon.as_ref(),
            shipping_address,
            payment_method,
            at: *at,
        };
        return create(placed).map(|created| vec![OrderEvent::OrderCreated(created)]);
    }
    let order = state.order().ok_or(OrderError::NotFound)?;
    match command {
        OrderCommand::Create { .. } => Err(OrderError::AlreadyExists),
        OrderCommand::MarkItemsReserved { at, .. } => mark_items_reserved(order, *at),
        OrderCommand::RecordPaymentProcessed { payment_id, amount, at, .. } => {
            record_payment(order, *payment_id, *amount, *at)
        }
        OrderCommand::RecordPaymentFailed { reason, deadline, at, .. } => {
            record_payment_failure(order, reason, *deadline, *at)
        }
        OrderCommand::ChangePaymentMethod { payment_method, at, .. } => {
            change_payment_method(order, payment_method, *at)
        }
        OrderCommand::Confirm { invoice_number, at, .. } => confirm(order, *invoice_number, *at),
        OrderCommand::Ship { carrier, tracking_number, at, .. } => ship(order, carrier, tracking_number, *at),
        OrderCommand::Deliver { at, .. } => {
            allow(order, OrderAction::Deliver, OrderStatus::Delivered)?;
            Ok(vec![OrderEvent::OrderDelivered(OrderDelivered { order_id: order.order_id, at: *at })])
        }
        OrderCommand::Cancel { reason, at, .. } => cancel(order, reason, *at),
        OrderCommand::RecordRefund { amount, at, .. } => refund(order, *amount, *at),
    }
}

/// Refuses `action` unless the order may move to `target`.
fn allow(order: &PlacedOrder, action: OrderAction, target: OrderStatus) -> Result<(), OrderError> {
    if order.status.can_become(target) {
        Ok(())
    } else {
        Err(OrderError::InvalidTransition { from: order.status, action })
    }
}

/// A payment method reference: bounded text, never a card number.
fn payment_method(raw: &str) -> Result<String, OrderError> {
    let method = bounded_text("payment_method", raw, MAX_PAYMENT_METHOD_LEN)?;
    if looks_like_card_number(&method) {
        return Err(OrderError::CardNumberRefused);
    }
    Ok(method)
}

/// The fields of `Create`.
struct NewOrder<'a> {
    order_id: OrderId,
    customer_id: CustomerId,
    lines: &'a [OrderLine],
    coupon: Option<&'a OrderCoupon>,
    shipping_address: &'a ShippingAddress,
    payment_method: &'a str,
    at: DateTime<Utc>,
}

fn create(new: NewOrder<'_>) -> Result<OrderCreated, OrderError> {
    let Some(first) = new.lines.first() else {
        return Err(OrderError::NoLines);
    };
    if new.lines.len() > MAX_ORDER_LINES {
        return Err(OrderError::TooManyLines { count: new.lines.len(), max: MAX_ORDER_LINES });
    }
    let currency = first.unit_price.currency();
    let mut lines = Vec::with_capacity(new.lines.len());
    for line in new.lines {
        if line.unit_price.currency() != currency {
            return Err(MoneyError::CurrencyMismatch(currency, line.unit_price.currency()).into());
        }
        let mut priced = price_line(line)?;
        priced.name = bounded_text("lines.name", &line.name, MAX_NAME_LEN)?;
        lines.push(priced);
    }
    let coupon = match new.coupon {
        None => None,
        Some(coupon) => {
            let code = normalize_coupon_code(&coupon.code)?;
            if !discount_is_valid(&coupon.discount) {
                return Err(OrderError::InvalidDiscount { code });
            }
            match coupon.discount {
                Discount::Fixed { amount } if amount.currency() != currency => {
                    return Err(MoneyError::CurrencyMismatch(currency, amount.currency()).into());
                }
                _ => {}
            }
            Some(OrderCoupon { code, discount: coupon.discount })
        }
    };
    let totals = order_totals(currency, &lines, coupon.as_ref().map(|coupon| &coupon.discount))?;
    Ok(OrderCreated {
        order_id: new.order_id,
        customer_id: new.customer_id,
        lines,
        coupon,
        subtotal: totals.subtotal,
        discount: totals.discount,
        total: totals.total,
        shipping_address: new.shipping_address.normalized()?,
        payment_method: payment_method(new.payment_method)?,
        at: new.at,
    })
}

fn mark_items_reserved(order: &PlacedOrder, at: DateTime<Utc>) -> Result<Vec<OrderEvent>, OrderError> {
    if order.items_reserved {
        return Ok(Vec::new());
    }
    match order.status {
        OrderStatus::Pending | OrderStatus::AwaitingPayment | OrderStatus::Paid => {
            Ok(vec![OrderEvent::ItemsReserved(ItemsReserved { order_id: order.order_id, at })])
        }
        from => Err(OrderError::InvalidTransition { from, action: OrderAction::ReserveItems }),
    }
}

fn record_payment(
    order: &PlacedOrder,
    payment_id: PaymentId,
    amount: Money,
    at: DateTime<Utc>,
) -> Result<Vec<OrderEvent>, OrderError> {
    match order.payment_id {
        // The same payment reported twice (a redelivered message) is already recorded.
        Some(recorded) if recorded == payment_id => return Ok(Vec::new()),
        Some(_) => return Err(OrderError::AlreadyPaid),
        None => {}
    }
    allow(order, OrderAction::RecordPayment, OrderStatus::Paid)?;
    if amount.currency() != order.currency() {
        return Err(MoneyError::CurrencyMismatch(order.currency(), amount.currency()).into());
    }
    if amount != order.total {
        return Err(OrderError::PaymentAmountMismatch { expected: order.total, received: amount });
    }
    Ok(vec![OrderEvent::PaymentProcessed(PaymentProcessed { order_id: order.order_id, payment_id, amount, at })])
}

fn record_payment_failure(
    order: &PlacedOrder,
    reason: &str,
    deadline: DateTime<Utc>,
    at: DateTime<Utc>,
) -> Result<Vec<OrderEvent>, OrderError> {
    // Another failure while already awaiting payment just moves the deadline.
    if order.status != OrderStatus::AwaitingPayment {
        allow(order, OrderAction::RecordPaymentFailure, OrderStatus::AwaitingPayment)?;
    }
    let reason = bounded_text("reason", reason, MAX_REASON_LEN)?;
    Ok(vec![OrderEvent::OrderPaymentFailed(OrderPaymentFailed { order_id: order.order_id, reason, deadline, at })])
}

fn change_payment_method(order: &PlacedOrder, raw: &str, at: DateTime<Utc>) -> Result<Vec<OrderEvent>, OrderError> {
    if order.status != OrderStatus::AwaitingPayment {
        return Err(OrderError::InvalidTransition { from: order.status, action: OrderAction::ChangePaymentMethod });
    }
    if let Some(deadline) = order.payment_deadline.filter(|deadline| at >= *deadline) {
        return Err(OrderError::PaymentDeadlinePassed { deadline });
    }
    let payment_method = payment_method(raw)?;
    Ok(vec![OrderEvent::OrderPaymentMethodChanged(OrderPaymentMethodChanged {
        order_id: order.order_id,
        payment_method,
        at,
    })])
}

fn confirm(order: &PlacedOrder, invoice_number: u64, at: DateTime<Utc>) -> Result<Vec<OrderEvent>, OrderError> {
    if invoice_number == 0 {
        return Err(OrderError::InvalidInvoiceNumber);
    }
    if order.status == OrderStatus::Confirmed && order.invoice_number == Some(invoice_number) {
        return Ok(Vec::new());
    }
    allow(order, OrderAction::Confirm, OrderStatus::Confirmed)?;
    if !order.items_reserved {
        return Err(OrderError::ItemsNotReserved);
    }
    Ok(vec![OrderEvent::OrderConfirmed(OrderConfirmed { order_id: order.order_id, invoice_number, at })])
}

fn ship(
    order: &PlacedOrder,
    carrier: &str,
    tracking_number: &str,
    at: DateTime<Utc>,
) -> Result<Vec<OrderEvent>, OrderError> {
    allow(order, OrderAction::Ship, OrderStatus::Shipped)?;
    Ok(vec![OrderEvent::OrderShipped(OrderShipped {
        order_id: order.order_id,
        carrier: bounded_text("carrier", carrier, MAX_SHIPMENT_FIELD_LEN)?,
        tracking_number: bounded_text("tracking_number", tracking_number, MAX_SHIPMENT_FIELD_LEN)?,
        at,
    })])
}

fn cancel(order: &PlacedOrder, reason: &str, at: DateTime<Utc>) -> Result<Vec<OrderEvent>, OrderError> {
    allow(order, OrderAction::Cancel, OrderStatus::Cancelled)?;
    let reason = bounded_text("reason", reason, MAX_REASON_LEN)?;
    let refund_due = order.paid.amount() > order.refunded.amount();
    Ok(vec![OrderEvent::OrderCancelled(OrderCancelled { order_id: order.order_id, reason, refund_due, at })])
}

fn refund(order: &PlacedOrder, amount: Money, at: DateTime<Utc>) -> Result<Vec<OrderEvent>, OrderError> {
    if !order.is_paid() {
        return Err(OrderError::NotPaid);
    }
    if amount.is_zero() {
        return Err(OrderError::ZeroRefund);
    }
    let refundable = order.paid.checked_sub(&order.refunded)?;
    if amount.currency() != refundable.currency() {
        return Err(MoneyError::CurrencyMismatch(refundable.currency(), amount.currency()).into());
    }
    if amount.amount() > refundable.amount() {
        return Err(OrderError::RefundExceedsPaid { requested: amount, refundable });
    }
    let total_refunded = order.refunded.checked_add(&amount)?;
    let fully_refunded = total_refunded == order.paid;
    if fully_refunded {
        allow(order, OrderAction::Refund, OrderStatus::Refunded)?;
    }
    Ok(vec![OrderEvent::OrderRefunded(OrderRefunded {
        order_id: order.order_id,
        amount,
        total_refunded,
        fully_refunded,
        at,
    })])
}
