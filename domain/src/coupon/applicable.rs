//! Whether a coupon applies at an instant: the query the cart and `Redeem` share.

use chrono::{DateTime, Utc};

use super::error::CouponError;
use super::state::CouponState;
use crate::discount::Discount;

/// The coupon's discount if it applies at `at`, or why it does not.
///
/// Checks, in order: it exists, is not disabled, its window `[valid_from, valid_until)`
/// contains `at`, and it has a use left.
pub fn check_applicable(state: &CouponState, at: DateTime<Utc>) -> Result<Discount, CouponError> {
    let coupon = state.coupon().ok_or(CouponError::NotFound)?;
    if coupon.is_disabled() {
        return Err(CouponError::Disabled);
    }
    if at < coupon.valid_from() {
        return Err(CouponError::NotYetValid { valid_from: coupon.valid_from() });
    }
    if at >= coupon.valid_until() {
        return Err(CouponError::Expired { valid_until: coupon.valid_until() });
    }
    if let Some(max_uses) = coupon.max_uses().filter(|max| coupon.uses() >= *max) {
        return Err(CouponError::UsageLimitReached { max_uses });
    }
    Ok(coupon.discount())
}
