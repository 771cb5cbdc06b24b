//! The saga's memory of one order: a document in the read store's
//! [`COLLECTION`](super::OrderFulfilment::COLLECTION), keyed by order id, written in
//! the same transaction as the saga's checkpoint.
//!
//! Most of it mirrors the order aggregate after each handled event; what only the saga
//! knows is where the stock stands (held, given back, sold, restocked) and which SKUs
//! were sold. `deadline_ms` is a plain number so the timer can ask the read store for
//! due deadlines with a numeric range.

use emporium_domain::ids::{OrderId, PaymentId};
use emporium_domain::order::{OrderStatus, PlacedOrder};
use emporium_domain::values::Sku;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::error::SagaError;

/// Where the saga stands with an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Reserving stock.
    Reserving,
    /// Stock held; taking the payment.
    Paying,
    /// Paid; committing stock, numbering the invoice, confirming.
    Confirming,
    /// Done: the order is confirmed.
    Confirmed,
    /// The payment failed; waiting for a new method until the deadline.
    AwaitingPayment,
    /// The order was cancelled and compensated.
    Cancelled,
    /// The order was cancelled and its payment given back.
    Refunded,
    /// Shipped or delivered: nothing left for the saga.
    Closed,
}

/// What the saga did with an order's stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockHold {
    /// Nothing reserved yet.
    None,
    /// Every line is reserved.
    Reserved,
    /// Reservations were given back (shortage, declined payment, cancellation).
    Released,
    /// The units were sold (committed).
    Committed,
    /// Sold units came back to stock after a cancellation.
    Restocked,
}

/// The saga's state for one order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FulfilmentState {
    /// The order.
    pub order_id: OrderId,
    /// Where the saga stands.
    pub step: Step,
    /// The order's status as last seen (`pending`, `awaiting_payment`, …).
    pub order_status: String,
    /// The current payment attempt (1 for the order as placed).
    pub attempt: u32,
    /// The current attempt's payment.
    pub payment_id: Option<PaymentId>,
    /// Where the stock stands.
    pub stock: StockHold,
    /// SKUs whose reservation was committed (sold) for this order.
    pub committed_skus: Vec<Sku>,
    /// When an order awaiting payment is cancelled, epoch milliseconds; `null` otherwise.
    pub deadline_ms: Option<i64>,
    /// The invoice number, once confirmed.
    pub invoice_number: Option<u64>,
    /// Why the last payment failed or the order was cancelled.
    pub reason: Option<String>,
    /// The last event handled for this order.
    pub last_event_id: Option<Uuid>,
    /// Its global position.
    pub position: u64,
}

impl FulfilmentState {
    /// The state before the saga did anything.
    pub fn new(order_id: OrderId) -> Self {
        Self {
            order_id,
            step: Step::Reserving,
            order_status: OrderStatus::Pending.as_str().to_owned(),
            attempt: 1,
            payment_id: None,
            stock: StockHold::None,
            committed_skus: Vec::new(),
            deadline_ms: None,
            invoice_number: None,
            reason: None,
            last_event_id: None,
            position: 0,
        }
    }

    /// Reads a stored document.
    pub fn from_doc(order_id: &str, doc: Value) -> Result<Self, SagaError> {
        serde_json::from_value(doc).map_err(|source| SagaError::State { order_id: order_id.to_owned(), source })
    }

    /// The document to store.
    pub fn to_doc(&self) -> Result<Value, SagaError> {
        serde_json::to_value(self).map_err(|source| SagaError::State { order_id: self.order_id.to_string(), source })
    }

    /// Mirrors what the order aggregate says after a handled event.
    pub(super) fn observe(&mut self, order: &PlacedOrder) {
        self.order_status = order.status.as_str().to_owned();
        self.invoice_number = order.invoice_number.or(self.invoice_number);
        if order.payment_id.is_some() {
            self.payment_id = order.payment_id;
        }
        self.deadline_ms = match order.status {
            OrderStatus::AwaitingPayment => order.payment_deadline.map(|deadline| deadline.timestamp_millis()),
            _ => None,
        };
        self.step = match order.status {
            OrderStatus::Pending | OrderStatus::Paid => self.step,
            OrderStatus::AwaitingPayment => Step::AwaitingPayment,
            OrderStatus::Confirmed => Step::Confirmed,
            OrderStatus::Shipped | OrderStatus::Delivered => Step::Closed,
            OrderStatus::Cancelled => Step::Cancelled,
            OrderStatus::Refunded => Step::Refunded,
        };
        if let Some(reason) = order.cancellation_reason.as_ref().or(order.last_payment_failure.as_ref()) {
            self.reason = Some(reason.clone());
        }
        if order.status == OrderStatus::Confirmed && self.stock == StockHold::Reserved {
            // Confirmation follows the commit of every line.
            self.stock = StockHold::Committed;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_state_round_trips_through_its_document_with_a_numeric_deadline() {
        let mut state = FulfilmentState::new(OrderId::from_uuid(Uuid::from_u128(9)));
        state.deadline_ms = Some(1_700_000_000_000);
        state.committed_skus = vec![Sku::parse("MUG").unwrap()];
        let doc = state.to_doc().unwrap();
        assert_eq!(doc["deadline_ms"], 1_700_000_000_000_i64);
        assert_eq!(doc["step"], "reserving");
        assert_eq!(FulfilmentState::from_doc("x", doc).unwrap(), state);
        let cleared = FulfilmentState::new(state.order_id).to_doc().unwrap();
        assert!(cleared["deadline_ms"].is_null());
    }
}
