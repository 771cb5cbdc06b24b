//! Discount coupons: terms, a validity window, a usage limit, and redemptions per order.
//!
//! Code uniqueness across coupons is checked by the caller (a read model from code to
//! coupon id) before `CreateCoupon`. The cart asks [`check_applicable`] before showing a
//! discount; placing an order redeems the coupon with the same checks, and cancelling
//! the order gives the use back. Layout:
//! - [`CouponCommand`], [`CouponEvent`], [`CouponError`]: what is asked, what happened,
//!   why it was refused;
//! - [`CouponState`] and [`CouponRecord`]: what a coupon remembers;
//! - [`CouponCode`]: the code shoppers type;
//! - [`check_applicable`]: the pure query shared by the cart and `Redeem`;
//! - `decide` holds the rules, `evolve` folds the facts.

mod applicable;
mod code;
mod command;
mod decide;
mod error;
mod event;
mod evolve;
mod state;

#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;

pub use applicable::check_applicable;
pub use code::CouponCode;
pub use command::CouponCommand;
pub use error::CouponError;
pub use event::{CouponCreated, CouponDisabled, CouponEvent, CouponRedeemed, CouponRedemptionReleased};
pub use state::{CouponRecord, CouponState};

use crate::decider::Decider;
use crate::ids::CouponId;

/// The coupon aggregate: one discount coupon as a decider.
pub struct Coupon;

impl Coupon {
    /// The stream holding a coupon, `coupon-<id>`.
    pub fn stream_id(id: &CouponId) -> String {
        format!("{}-{}", Self::CATEGORY, id)
    }
}

impl Decider for Coupon {
    const CATEGORY: &'static str = "coupon";
    type State = CouponState;
    type Command = CouponCommand;
    type Event = CouponEvent;
    type Error = CouponError;

    fn decide(state: &Self::State, command: &Self::Command) -> Result<Vec<Self::Event>, Self::Error> {
        decide::decide(state, command)
    }

    fn evolve(state: Self::State, event: &Self::Event) -> Self::State {
        evolve::evolve(state, event)
    }
}
