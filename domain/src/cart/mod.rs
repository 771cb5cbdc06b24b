//! The shopping cart: one per customer, emptied by checkout and then reused.
//!
//! The cart keeps what a shopper means to buy at the prices they were shown; the order
//! created at checkout takes its lines from [`CartCheckedOut`]. Layout:
//! - [`CartCommand`] (command.rs), [`CartEvent`] and its payloads (event.rs);
//! - [`CartState`] (state.rs), folded by `evolve` (evolve.rs);
//! - the rules in `decide` (decide.rs), refusals in [`CartError`] (error.rs);
//! - coupon code and discount checks (coupon.rs), shared with orders;
//! - [`cart_totals`] and [`line_total`] (totals.rs).

mod command;
mod coupon;
mod decide;
mod error;
mod event;
mod evolve;
mod state;
mod totals;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod properties;
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;

pub use command::CartCommand;
pub use coupon::{MAX_COUPON_CODE_LEN, discount_is_valid, normalize_coupon_code};
pub use error::CartError;
pub use event::{
    CartCheckedOut, CartCheckedOutCoupon, CartCheckedOutLine, CartCleared, CartCouponApplied, CartCouponRemoved,
    CartEvent, CartItemAdded, CartItemQuantityChanged, CartItemRemoved,
};
pub use state::{CartCoupon, CartLine, CartState, MAX_CART_LINES, MAX_NAME_LEN, OpenCart};
pub use totals::{CartLineTotal, CartTotals, cart_totals, line_total};

use crate::decider::Decider;

/// The cart aggregate; streams are `cart-<CartId>`.
pub struct Cart;

impl Decider for Cart {
    const CATEGORY: &'static str = "cart";
    type State = CartState;
    type Command = CartCommand;
    type Event = CartEvent;
    type Error = CartError;

    fn decide(state: &CartState, command: &CartCommand) -> Result<Vec<CartEvent>, CartError> {
        decide::decide(state, command)
    }

    fn evolve(state: CartState, event: &CartEvent) -> CartState {
        evolve::evolve(state, event)
    }
}
