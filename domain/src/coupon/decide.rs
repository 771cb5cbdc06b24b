//! The coupon rules: creation terms, redemption limits, releases, disabling.

use super::applicable::check_applicable;
use super::code::CouponCode;
use super::command::CouponCommand;
use super::error::CouponError;
use super::event::{CouponCreated, CouponDisabled, CouponEvent, CouponRedeemed, CouponRedemptionReleased};
use super::state::CouponState;
use crate::discount::Discount;

/// Checks a command against the coupon and returns the events it causes.
pub(super) fn decide(state: &CouponState, command: &CouponCommand) -> Result<Vec<CouponEvent>, CouponError> {
    match command {
        CouponCommand::CreateCoupon { coupon_id, code, discount, valid_from, valid_until, max_uses, at } => {
            if state.exists() {
                return Err(CouponError::AlreadyExists);
            }
            let code = CouponCode::parse(code)?;
            check_discount(discount)?;
            if valid_until <= valid_from {
                return Err(CouponError::InvalidValidity);
            }
            if *max_uses == Some(0) {
                return Err(CouponError::InvalidMaxUses);
            }
            Ok(vec![CouponEvent::CouponCreated(CouponCreated {
                coupon_id: *coupon_id,
                code,
                discount: *discount,
                valid_from: *valid_from,
                valid_until: *valid_until,
                max_uses: *max_uses,
                at: *at,
            })])
        }
        CouponCommand::Redeem { coupon_id, order_id, at } => {
            let coupon = state.coupon().ok_or(CouponError::NotFound)?;
            // A retried redemption succeeds even if the coupon has since expired or filled up.
            if coupon.is_redeemed_by(order_id) {
                return Ok(vec![]);
            }
            check_applicable(state, *at)?;
            Ok(vec![CouponEvent::CouponRedeemed(CouponRedeemed {
                coupon_id: *coupon_id,
                order_id: *order_id,
                uses: coupon.uses().saturating_add(1),
                at: *at,
            })])
        }
        CouponCommand::ReleaseRedemption { coupon_id, order_id, at } => {
            let coupon = state.coupon().ok_or(CouponError::NotFound)?;
            if !coupon.is_redeemed_by(order_id) {
                return Ok(vec![]);
            }
            Ok(vec![CouponEvent::CouponRedemptionReleased(CouponRedemptionReleased {
                coupon_id: *coupon_id,
                order_id: *order_id,
                uses: coupon.uses().saturating_sub(1),
                at: *at,
            })])
        }
        CouponCommand::Disable { coupon_id, at } => {
            if state.coupon().ok_or(CouponError::NotFound)?.is_disabled() {
                return Ok(vec![]);
            }
            Ok(vec![CouponEvent::CouponDisabled(CouponDisabled { coupon_id: *coupon_id, at: *at })])
        }
    }
}

/// A percentage must be 1-100 and a fixed amount above zero.
fn check_discount(discount: &Discount) -> Result<(), CouponError> {
    match discount {
        Discount::Percent { percent } if !(1..=100).contains(percent) => Err(CouponError::InvalidPercent(*percent)),
        Discount::Fixed { amount } if amount.is_zero() => Err(CouponError::InvalidAmount),
        _ => Ok(()),
    }
}
