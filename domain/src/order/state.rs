//! What an order remembers between commands.

use chrono::{DateTime, Utc};

use super::address::ShippingAddress;
use super::line::{OrderCoupon, PricedOrderLine};
use super::status::OrderStatus;
use crate::ids::{CustomerId, OrderId, PaymentId};
use crate::money::{Currency, Money};

/// An order, or the absence of one.
// One state per loaded stream, never a collection of them: the size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, Default, PartialEq)]
pub enum OrderState {
    /// Not created yet.
    #[default]
    Absent,
    /// Created; see its status.
    Present(PlacedOrder),
}

impl OrderState {
    /// The order, if it exists.
    pub fn order(&self) -> Option<&PlacedOrder> {
        match self {
            OrderState::Absent => None,
            OrderState::Present(order) => Some(order),
        }
    }
}

/// An existing order.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedOrder {
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
    /// The amount to pay.
    pub total: Money,
    /// Where to ship.
    pub shipping_address: ShippingAddress,
    /// How the customer pays.
    pub payment_method: String,
    /// The current status.
    pub status: OrderStatus,
    /// Every status the order took, with when, oldest first.
    pub status_history: Vec<(OrderStatus, DateTime<Utc>)>,
    /// True once inventory reserved every line.
    pub items_reserved: bool,
    /// The payment that paid the order.
    pub payment_id: Option<PaymentId>,
    /// What was paid (zero until paid).
    pub paid: Money,
    /// Why the last payment failed.
    pub last_payment_failure: Option<String>,
    /// When an order awaiting payment is due to be cancelled.
    pub payment_deadline: Option<DateTime<Utc>>,
    /// The invoice number, once confirmed.
    pub invoice_number: Option<u64>,
    /// The carrier and tracking number, once shipped.
    pub shipment: Option<Shipment>,
    /// Why the order was cancelled.
    pub cancellation_reason: Option<String>,
    /// What was refunded so far.
    pub refunded: Money,
    /// When the order was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl PlacedOrder {
    /// The order's currency.
    pub fn currency(&self) -> Currency {
        self.total.currency()
    }

    /// True once a payment was recorded.
    pub fn is_paid(&self) -> bool {
        self.payment_id.is_some()
    }
}

/// How an order travels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipment {
    /// The carrier.
    pub carrier: String,
    /// The carrier's tracking number.
    pub tracking_number: String,
}
