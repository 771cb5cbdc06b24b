//! Orders: placed from a cart's contents, paid, confirmed, shipped, delivered, or
//! cancelled and refunded.
//!
//! Every status change goes through one table, [`OrderStatus::can_become`], and the
//! state keeps the history of statuses. Layout:
//! - [`OrderCommand`] (command.rs), [`OrderEvent`] and its payloads (event.rs);
//! - [`OrderLine`], [`PricedOrderLine`], [`OrderCoupon`] (line.rs);
//! - [`ShippingAddress`], [`CountryCode`] (address.rs);
//! - [`OrderStatus`], [`OrderAction`] (status.rs);
//! - [`OrderState`] (state.rs), folded by `evolve` (evolve.rs);
//! - the rules in `decide` (decide.rs), refusals in [`OrderError`] (error.rs);
//! - [`order_totals`], [`price_line`] (totals.rs).

mod address;
mod command;
mod decide;
mod error;
mod event;
mod evolve;
mod line;
mod state;
mod status;
mod totals;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod properties;
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;

pub use address::{ASSIGNED_COUNTRY_CODES, CountryCode, InvalidCountryCode, ShippingAddress};
pub use command::OrderCommand;
pub use error::OrderError;
pub use event::{
    ItemsReserved, OrderCancelled, OrderConfirmed, OrderCreated, OrderDelivered, OrderEvent, OrderPaymentFailed,
    OrderPaymentMethodChanged, OrderRefunded, OrderShipped, PaymentProcessed,
};
pub use line::{OrderCoupon, OrderLine, PricedOrderLine};
pub use state::{OrderState, PlacedOrder, Shipment};
pub use status::{OrderAction, OrderStatus};
pub use totals::{OrderTotals, order_totals, price_line};

use crate::decider::Decider;

/// Most lines an order may hold.
pub const MAX_ORDER_LINES: usize = 100;

/// Longest cancellation or payment-failure reason.
pub const MAX_REASON_LEN: usize = 500;

/// The order aggregate; streams are `order-<OrderId>`.
pub struct Order;

impl Decider for Order {
    const CATEGORY: &'static str = "order";
    type State = OrderState;
    type Command = OrderCommand;
    type Event = OrderEvent;
    type Error = OrderError;

    fn decide(state: &OrderState, command: &OrderCommand) -> Result<Vec<OrderEvent>, OrderError> {
        decide::decide(state, command)
    }

    fn evolve(state: OrderState, event: &OrderEvent) -> OrderState {
        evolve::evolve(state, event)
    }
}
