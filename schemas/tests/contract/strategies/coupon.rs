//! Coupon events.

use emporium_domain::coupon::{CouponCreated, CouponDisabled, CouponEvent, CouponRedeemed, CouponRedemptionReleased};
use proptest::prelude::*;

use super::values::*;

/// Any coupon event.
pub fn events() -> impl Strategy<Value = CouponEvent> {
    prop_oneof![
        (
            coupon_id(),
            coupon_code(),
            currency().prop_flat_map(discount_in),
            instant(),
            instant(),
            proptest::option::of(1u32..),
            instant()
        )
            .prop_map(|(coupon_id, code, discount, valid_from, valid_until, max_uses, at)| {
                CouponEvent::CouponCreated(CouponCreated {
                    coupon_id,
                    code,
                    discount,
                    valid_from,
                    valid_until,
                    max_uses,
                    at,
                })
            }),
        (coupon_id(), order_id(), any::<u32>(), instant()).prop_map(|(coupon_id, order_id, uses, at)| {
            CouponEvent::CouponRedeemed(CouponRedeemed { coupon_id, order_id, uses, at })
        }),
        (coupon_id(), order_id(), any::<u32>(), instant()).prop_map(|(coupon_id, order_id, uses, at)| {
            CouponEvent::CouponRedemptionReleased(CouponRedemptionReleased { coupon_id, order_id, uses, at })
        }),
        (coupon_id(), instant())
            .prop_map(|(coupon_id, at)| CouponEvent::CouponDisabled(CouponDisabled { coupon_id, at })),
    ]
}
