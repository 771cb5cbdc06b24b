//! The dispatcher's own directory: who each customer is (address, name, phone,
//! marketing consent) and whose each order is, learnt from the log and stored with
//! the dispatcher's checkpoint. Order events name only the order, so the directory
//! is how a shipping update finds its customer's address.

use emporium_domain::customer::CustomerEvent;
use emporium_domain::ids::{CustomerId, OrderId};
use emporium_domain::money::Money;
use emporium_domain::order::OrderCreated;
use serde::{Deserialize, Serialize};

use super::error::DispatchError;
use super::overlay::Overlay;

/// Customers, keyed by customer id.
pub const CUSTOMERS: &str = "notification_directory_customers";
/// Orders, keyed by order id.
pub const ORDERS: &str = "notification_directory_orders";

/// A customer as messages need them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerEntry {
    /// The customer (also the document key).
    pub id: CustomerId,
    /// Their address.
    pub email: String,
    /// Their name.
    pub name: String,
    /// Their phone number, if given.
    pub phone: Option<String>,
    /// Whether they accept marketing.
    pub marketing_opt_in: bool,
}

/// One order line as the confirmation lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineEntry {
    /// Product name.
    pub name: String,
    /// Units.
    pub quantity: u32,
    /// Line total.
    pub line_total: Money,
}

/// An order as messages need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderEntry {
    /// The order (also the document key).
    pub id: OrderId,
    /// Whose it is.
    pub customer_id: CustomerId,
    /// Its lines.
    pub lines: Vec<LineEntry>,
    /// Sum of the lines.
    pub subtotal: Money,
    /// Coupon discount.
    pub discount: Money,
    /// Amount to pay.
    pub total: Money,
}

/// Learns from a customer event.
pub(super) async fn learn_customer(view: &mut Overlay, event: &CustomerEvent) -> Result<(), DispatchError> {
    let id = event.customer_id().to_string();
    match event {
        CustomerEvent::CustomerRegistered(e) => {
            let entry = CustomerEntry {
                id: e.customer_id,
                email: e.email.as_str().to_owned(),
                name: e.name.clone(),
                phone: None,
                marketing_opt_in: false,
            };
            view.put(CUSTOMERS, &id, &entry)
        }
        CustomerEvent::CustomerProfileChanged(e) => {
            let Some(mut entry) = view.get::<CustomerEntry>(CUSTOMERS, &id).await? else { return Ok(()) };
            entry.name = e.name.clone();
            entry.phone = e.phone.as_ref().map(|phone| phone.as_str().to_owned());
            entry.marketing_opt_in = e.marketing_opt_in;
            view.put(CUSTOMERS, &id, &entry)
        }
        _ => Ok(()),
    }
}

/// Learns a new order.
pub(super) fn learn_order(view: &mut Overlay, created: &OrderCreated) -> Result<(), DispatchError> {
    let entry = OrderEntry {
        id: created.order_id,
        customer_id: created.customer_id,
        lines: created
            .lines
            .iter()
            .map(|line| LineEntry {
                name: line.name.clone(),
                quantity: line.quantity.get(),
                line_total: line.line_total,
            })
            .collect(),
        subtotal: created.subtotal,
        discount: created.discount,
        total: created.total,
    };
    view.put(ORDERS, &created.order_id.to_string(), &entry)
}

/// An order and its customer, when the directory knows both.
pub(super) async fn order_and_customer(
    view: &Overlay,
    order_id: OrderId,
) -> Result<Option<(OrderEntry, CustomerEntry)>, DispatchError> {
    let Some(order) = view.get::<OrderEntry>(ORDERS, &order_id.to_string()).await? else {
        tracing::warn!(%order_id, "an order the notification directory never saw created; no message");
        return Ok(None);
    };
    let Some(customer) = view.get::<CustomerEntry>(CUSTOMERS, &order.customer_id.to_string()).await? else {
        tracing::warn!(%order_id, customer_id = %order.customer_id, "the order's customer is unknown; no message");
        return Ok(None);
    };
    Ok(Some((order, customer)))
}
