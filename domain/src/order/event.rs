//! The facts an order records.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::address::ShippingAddress;
use super::line::{OrderCoupon, PricedOrderLine};
use crate::event::DomainEvent;
use crate::ids::{CustomerId, OrderId, PaymentId};
use crate::money::Money;

/// Everything that can happen to an order.
// `OrderCreated` is large, but boxing it would change the shape every reader matches on.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "event_type", content = "data")]
pub enum OrderEvent {
    /// The order was placed (status `pending`).
    OrderCreated(OrderCreated),
    /// Inventory reserved every line.
    ItemsReserved(ItemsReserved),
    /// The total was paid (status `paid`).
    PaymentProcessed(PaymentProcessed),
    /// A payment failed (status `awaiting_payment`).
    OrderPaymentFailed(OrderPaymentFailed),
    /// The customer chose another payment method (status `pending`).
    OrderPaymentMethodChanged(OrderPaymentMethodChanged),
    /// The order was confirmed and invoiced (status `confirmed`).
    OrderConfirmed(OrderConfirmed),
    /// The order left with a carrier (status `shipped`).
    OrderShipped(OrderShipped),
    /// The order arrived (status `delivered`).
    OrderDelivered(OrderDelivered),
    /// The order was called off (status `cancelled`).
    OrderCancelled(OrderCancelled),
    /// Money was given back (status `refunded` once all of it is).
    OrderRefunded(OrderRefunded),
}

impl DomainEvent for OrderEvent {
    fn event_type(&self) -> &'static str {
        match self {
            OrderEvent::OrderCreated(_) => "OrderCreated",
            OrderEvent::ItemsReserved(_) => "ItemsReserved",
            OrderEvent::PaymentProcessed(_) => "PaymentProcessed",
            OrderEvent::OrderPaymentFailed(_) => "OrderPaymentFailed",
            OrderEvent::OrderPaymentMethodChanged(_) => "OrderPaymentMethodChanged",
            OrderEvent::OrderConfirmed(_) => "OrderConfirmed",
            OrderEvent::OrderShipped(_) => "OrderShipped",
            OrderEvent::OrderDelivered(_) => "OrderDelivered",
            OrderEvent::OrderCancelled(_) => "OrderCancelled",
            OrderEvent::OrderRefunded(_) => "OrderRefunded",
        }
    }

    /// `OrderCreated` is at v2 (structured address, coupon, discount); the upcaster
    /// from v1 lives in `emporium-schemas`.
    fn schema_version(&self) -> u32 {
        match self {
            OrderEvent::OrderCreated(_) => 2,
            _ => 1,
        }
    }
}

/// An order was placed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OrderCreated {
    /// The order.
    pub order_id: OrderId,
    /// Who buys.
    pub customer_id: CustomerId,
    /// The lines with their totals.
    pub lines: Vec<PricedOrderLine>,
    /// The coupon, if any.
    pub coupon: Option<OrderCoupon>,
    /// Sum of the line totals.
    pub subtotal: Money,
    /// Taken off by the coupon.
    pub discount: Money,
    /// `subtotal - discount`, the amount to pay.
    pub total: Money,
    /// Where to ship.
    pub shipping_address: ShippingAddress,
    /// How the customer pays (a reference, never a card number).
    pub payment_method: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// Inventory reserved every line of an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ItemsReserved {
    /// The order.
    pub order_id: OrderId,
    /// When.
    pub at: DateTime<Utc>,
}

/// An order's total was paid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PaymentProcessed {
    /// The order.
    pub order_id: OrderId,
    /// The payment.
    pub payment_id: PaymentId,
    /// The amount paid.
    pub amount: Money,
    /// When.
    pub at: DateTime<Utc>,
}

/// A payment of an order failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OrderPaymentFailed {
    /// The order.
    pub order_id: OrderId,
    /// Why.
    pub reason: String,
    /// When the order is cancelled unless paid.
    pub deadline: DateTime<Utc>,
    /// When.
    pub at: DateTime<Utc>,
}

/// An order awaiting payment got a new payment method.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OrderPaymentMethodChanged {
    /// The order.
    pub order_id: OrderId,
    /// The new method (a reference, never a card number).
    pub payment_method: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// An order was confirmed and given an invoice number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OrderConfirmed {
    /// The order.
    pub order_id: OrderId,
    /// Its invoice number.
    pub invoice_number: u64,
    /// When.
    pub at: DateTime<Utc>,
}

/// An order was handed to a carrier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OrderShipped {
    /// The order.
    pub order_id: OrderId,
    /// The carrier.
    pub carrier: String,
    /// The carrier's tracking number.
    pub tracking_number: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// An order was delivered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OrderDelivered {
    /// The order.
    pub order_id: OrderId,
    /// When.
    pub at: DateTime<Utc>,
}

/// An order was cancelled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OrderCancelled {
    /// The order.
    pub order_id: OrderId,
    /// Why.
    pub reason: String,
    /// True when money was paid and should now be refunded.
    pub refund_due: bool,
    /// When.
    pub at: DateTime<Utc>,
}

/// Money was refunded on an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OrderRefunded {
    /// The order.
    pub order_id: OrderId,
    /// This refund.
    pub amount: Money,
    /// All refunds so far, this one included.
    pub total_refunded: Money,
    /// True when everything paid has now been refunded.
    pub fully_refunded: bool,
    /// When.
    pub at: DateTime<Utc>,
}
