//! The orders read model: each order as its customer and the back office see it.
//!
//! `orders` (key: order id): `id`, `customer_id`, `status`, `status_history`
//! [`{status, at}`], `lines` [`{product_id, sku, name, quantity, unit_price,
//! line_total}`], `coupon_code`, `coupon`, `subtotal`, `discount`, `total`,
//! `shipping_address`, `payment_method`, `items_reserved`, `payment_id`,
//! `amount_paid`, `payment_failure_reason`, `payment_deadline`, `invoice_number`,
//! `carrier`, `tracking_number`, `cancellation_reason`, `refunded_amount`,
//! `created_at`, `updated_at`. "Orders of a customer" is a query on `customer_id`.
//!
//! The document is folded with the domain's own `evolve`, so statuses and history
//! follow the same transition table as the write side.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use emporium_domain::Decider;
use emporium_domain::ids::{CustomerId, OrderId, PaymentId};
use emporium_domain::money::Money;
use emporium_domain::order::{
    Order, OrderCoupon, OrderEvent, OrderState, OrderStatus, PlacedOrder, PricedOrderLine, Shipment, ShippingAddress,
};
use emporium_infra::event_store::RecordedEvent;
use emporium_infra::read_store::DocWrite;
use serde::{Deserialize, Serialize};

use super::render::{fixed_time, fixed_time_opt, malformed};
use crate::{Documents, ProjectionError, Projector, decode};

/// Orders, keyed by order id.
pub const ORDERS: &str = "orders";

/// Projects order events into order documents.
#[derive(Debug, Clone, Copy, Default)]
pub struct OrdersProjector;

#[async_trait]
impl Projector for OrdersProjector {
    fn name(&self) -> &'static str {
        "orders"
    }

    fn collections(&self) -> &'static [&'static str] {
        &[ORDERS]
    }

    async fn project(&self, event: &RecordedEvent, docs: &Documents) -> Result<Vec<DocWrite>, ProjectionError> {
        if event.category() != Order::CATEGORY {
            return Ok(Vec::new());
        }
        let event: OrderEvent = decode(event)?;
        let id = order_id(&event).to_string();
        let state = match docs.get(ORDERS, &id).await? {
            Some(doc) => OrderState::Present(
                serde_json::from_value::<OrderDoc>(doc)
                    .map_err(|e| malformed(ORDERS, &id, e.to_string()))?
                    .into_order(),
            ),
            None => OrderState::Absent,
        };
        match Order::evolve(state, &event) {
            OrderState::Present(order) => {
                let doc = serde_json::to_value(OrderDoc::from_order(order))
                    .map_err(|e| malformed(ORDERS, &id, e.to_string()))?;
                Ok(vec![DocWrite::put(ORDERS, id, doc)])
            }
            // An event before OrderCreated changes nothing, as in the domain.
            OrderState::Absent => Ok(Vec::new()),
        }
    }
}

fn order_id(event: &OrderEvent) -> OrderId {
    match event {
        OrderEvent::OrderCreated(e) => e.order_id,
        OrderEvent::ItemsReserved(e) => e.order_id,
        OrderEvent::PaymentProcessed(e) => e.order_id,
        OrderEvent::OrderPaymentFailed(e) => e.order_id,
        OrderEvent::OrderPaymentMethodChanged(e) => e.order_id,
        OrderEvent::OrderConfirmed(e) => e.order_id,
        OrderEvent::OrderShipped(e) => e.order_id,
        OrderEvent::OrderDelivered(e) => e.order_id,
        OrderEvent::OrderCancelled(e) => e.order_id,
        OrderEvent::OrderRefunded(e) => e.order_id,
    }
}

/// The stored order document, typed: the one shape of the `orders` collection,
/// written here and read by the read API.
#[derive(Debug, Serialize, Deserialize)]
pub struct OrderDoc {
    /// The order (also the document key).
    pub id: OrderId,
    /// The buyer.
    pub customer_id: CustomerId,
    /// Where it stands now.
    pub status: OrderStatus,
    /// Every status it took, oldest first.
    pub status_history: Vec<StatusChange>,
    /// What was ordered, priced.
    pub lines: Vec<PricedOrderLine>,
    /// The coupon's code, or none.
    pub coupon_code: Option<String>,
    /// The coupon's terms, or none.
    pub coupon: Option<OrderCoupon>,
    /// Sum of the line totals.
    pub subtotal: Money,
    /// Taken off by the coupon.
    pub discount: Money,
    /// What is charged.
    pub total: Money,
    /// Where it goes.
    pub shipping_address: ShippingAddress,
    /// The saved method's id or the reference of the token it is paid with.
    pub payment_method: String,
    /// True once stock is reserved for every line.
    pub items_reserved: bool,
    /// The payment that paid it.
    pub payment_id: Option<PaymentId>,
    /// What was paid.
    pub amount_paid: Money,
    /// Why the last payment failed.
    pub payment_failure_reason: Option<String>,
    /// When an order awaiting payment is cancelled unless paid.
    #[serde(with = "fixed_time_opt")]
    pub payment_deadline: Option<DateTime<Utc>>,
    /// The invoice number, once confirmed.
    pub invoice_number: Option<u64>,
    /// The carrier, once shipped.
    pub carrier: Option<String>,
    /// The tracking number, once shipped.
    pub tracking_number: Option<String>,
    /// Why it was cancelled.
    pub cancellation_reason: Option<String>,
    /// What was refunded.
    pub refunded_amount: Money,
    /// When it was placed.
    #[serde(with = "fixed_time")]
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    #[serde(with = "fixed_time")]
    pub updated_at: DateTime<Utc>,
}

/// One entry of the status history.
#[derive(Debug, Serialize, Deserialize)]
pub struct StatusChange {
    /// The status taken.
    pub status: OrderStatus,
    /// When.
    #[serde(with = "fixed_time")]
    pub at: DateTime<Utc>,
}

impl OrderDoc {
    fn from_order(o: PlacedOrder) -> Self {
        let (carrier, tracking_number) = match o.shipment {
            Some(s) => (Some(s.carrier), Some(s.tracking_number)),
            None => (None, None),
        };
        Self {
            id: o.order_id,
            customer_id: o.customer_id,
            status: o.status,
            status_history: o.status_history.into_iter().map(|(status, at)| StatusChange { status, at }).collect(),
            lines: o.lines,
            coupon_code: o.coupon.as_ref().map(|c| c.code.clone()),
            coupon: o.coupon,
            subtotal: o.subtotal,
            discount: o.discount,
            total: o.total,
            shipping_address: o.shipping_address,
            payment_method: o.payment_method,
            items_reserved: o.items_reserved,
            payment_id: o.payment_id,
            amount_paid: o.paid,
            payment_failure_reason: o.last_payment_failure,
            payment_deadline: o.payment_deadline,
            invoice_number: o.invoice_number,
            carrier,
            tracking_number,
            cancellation_reason: o.cancellation_reason,
            refunded_amount: o.refunded,
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }

    fn into_order(self) -> PlacedOrder {
        let shipment = match (self.carrier, self.tracking_number) {
            (Some(carrier), Some(tracking_number)) => Some(Shipment { carrier, tracking_number }),
            _ => None,
        };
        PlacedOrder {
            order_id: self.id,
            customer_id: self.customer_id,
            lines: self.lines,
            coupon: self.coupon,
            subtotal: self.subtotal,
            discount: self.discount,
            total: self.total,
            shipping_address: self.shipping_address,
            payment_method: self.payment_method,
            status: self.status,
            status_history: self.status_history.into_iter().map(|c| (c.status, c.at)).collect(),
            items_reserved: self.items_reserved,
            payment_id: self.payment_id,
            paid: self.amount_paid,
            last_payment_failure: self.payment_failure_reason,
            payment_deadline: self.payment_deadline,
            invoice_number: self.invoice_number,
            shipment,
            cancellation_reason: self.cancellation_reason,
            refunded: self.refunded_amount,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}
