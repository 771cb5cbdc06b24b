//! Folds a coupon fact into the state; never fails, never validates.

use std::collections::BTreeSet;

use super::event::CouponEvent;
use super::state::{CouponRecord, CouponState};

/// Applies one event. Facts about a coupon never created are ignored.
pub(super) fn evolve(mut state: CouponState, event: &CouponEvent) -> CouponState {
    if let CouponEvent::CouponCreated(e) = event {
        state.coupon = Some(CouponRecord {
            id: e.coupon_id,
            code: e.code.clone(),
            discount: e.discount,
            valid_from: e.valid_from,
            valid_until: e.valid_until,
            max_uses: e.max_uses,
            redemptions: BTreeSet::new(),
            created_at: e.at,
            disabled_at: None,
        });
        return state;
    }
    let Some(coupon) = state.coupon.as_mut() else {
        return state;
    };
    match event {
        CouponEvent::CouponCreated(_) => {}
        CouponEvent::CouponRedeemed(e) => {
            coupon.redemptions.insert(e.order_id);
        }
        CouponEvent::CouponRedemptionReleased(e) => {
            coupon.redemptions.remove(&e.order_id);
        }
        CouponEvent::CouponDisabled(e) => coupon.disabled_at = Some(e.at),
    }
    state
}
