//! An order's life cycle: its statuses, the actions on it, and the legal transitions.

use serde::{Deserialize, Serialize};

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Created, waiting for stock and payment.
    Pending,
    /// A payment failed; the customer may change the payment method before a deadline.
    AwaitingPayment,
    /// The payment went through.
    Paid,
    /// Paid with stock reserved; an invoice number is assigned.
    Confirmed,
    /// Handed to a carrier.
    Shipped,
    /// Received by the customer.
    Delivered,
    /// Called off; a paid order is refunded afterwards.
    Cancelled,
    /// Everything paid was given back.
    Refunded,
}

impl OrderStatus {
    /// Every status, in life-cycle order.
    pub const ALL: [OrderStatus; 8] = [
        OrderStatus::Pending,
        OrderStatus::AwaitingPayment,
        OrderStatus::Paid,
        OrderStatus::Confirmed,
        OrderStatus::Shipped,
        OrderStatus::Delivered,
        OrderStatus::Cancelled,
        OrderStatus::Refunded,
    ];

    /// The status as its wire name (`awaiting_payment`).
    pub fn as_str(&self) -> &'static str {
        match self {
            OrderStatus::Pending => "pending",
            OrderStatus::AwaitingPayment => "awaiting_payment",
            OrderStatus::Paid => "paid",
            OrderStatus::Confirmed => "confirmed",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Refunded => "refunded",
        }
    }

    /// True when an order may move from `self` to `next`; the one table every rule follows.
    pub fn can_become(&self, next: OrderStatus) -> bool {
        use OrderStatus::*;
        matches!(
            (self, next),
            (Pending, AwaitingPayment | Paid | Cancelled)
                | (AwaitingPayment, Pending | Paid | Cancelled)
                | (Paid, Confirmed | Cancelled | Refunded)
                | (Confirmed, Shipped | Cancelled | Refunded)
                | (Shipped, Delivered | Refunded)
                | (Delivered, Refunded)
                | (Cancelled, Refunded)
        )
    }

    /// True when no transition leaves this status.
    pub fn is_final(&self) -> bool {
        OrderStatus::ALL.iter().all(|next| !self.can_become(*next))
    }
}

impl std::fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What was asked of an order, named in refusals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderAction {
    /// `MarkItemsReserved`.
    ReserveItems,
    /// `RecordPaymentProcessed`.
    RecordPayment,
    /// `RecordPaymentFailed`.
    RecordPaymentFailure,
    /// `ChangePaymentMethod`.
    ChangePaymentMethod,
    /// `Confirm`.
    Confirm,
    /// `Ship`.
    Ship,
    /// `Deliver`.
    Deliver,
    /// `Cancel`.
    Cancel,
    /// `RecordRefund`.
    Refund,
}

impl OrderAction {
    /// The action as its wire name (`change_payment_method`).
    pub fn as_str(&self) -> &'static str {
        match self {
            OrderAction::ReserveItems => "reserve_items",
            OrderAction::RecordPayment => "record_payment",
            OrderAction::RecordPaymentFailure => "record_payment_failure",
            OrderAction::ChangePaymentMethod => "change_payment_method",
            OrderAction::Confirm => "confirm",
            OrderAction::Ship => "ship",
            OrderAction::Deliver => "deliver",
            OrderAction::Cancel => "cancel",
            OrderAction::Refund => "refund",
        }
    }
}

impl std::fmt::Display for OrderAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn only_refunded_is_final() {
        let finals: Vec<_> = OrderStatus::ALL.into_iter().filter(OrderStatus::is_final).collect();
        assert_eq!(finals, vec![OrderStatus::Refunded]);
    }

    #[test]
    fn shipped_and_delivered_orders_cannot_be_cancelled() {
        assert!(OrderStatus::Confirmed.can_become(OrderStatus::Cancelled));
        assert!(!OrderStatus::Shipped.can_become(OrderStatus::Cancelled));
        assert!(!OrderStatus::Delivered.can_become(OrderStatus::Cancelled));
        assert!(!OrderStatus::Cancelled.can_become(OrderStatus::Cancelled));
    }

    #[test]
    fn statuses_serialize_in_snake_case() {
        for status in OrderStatus::ALL {
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
        assert_eq!(serde_json::to_value(OrderAction::ChangePaymentMethod).unwrap(), "change_payment_method");
    }
}
