//! What callers ask of a coupon.

use chrono::{DateTime, Utc};

use crate::discount::Discount;
use crate::ids::{CouponId, OrderId};

/// A request to change one coupon; `coupon_id` names the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CouponCommand {
    /// Create a coupon; the caller has checked the code is not taken.
    CreateCoupon {
        /// The new coupon's id.
        coupon_id: CouponId,
        /// The code shoppers type (see [`super::CouponCode`]).
        code: String,
        /// Percent (1-100) or fixed amount (above zero) off.
        discount: Discount,
        /// First instant the coupon applies.
        valid_from: DateTime<Utc>,
        /// First instant it no longer applies; after `valid_from`.
        valid_until: DateTime<Utc>,
        /// How many orders may use it; `None` for no limit, never `Some(0)`.
        max_uses: Option<u32>,
        /// When.
        at: DateTime<Utc>,
    },
    /// Use the coupon for an order; again for the same order is a no-op.
    Redeem {
        /// The coupon.
        coupon_id: CouponId,
        /// The order using it.
        order_id: OrderId,
        /// When, which decides validity.
        at: DateTime<Utc>,
    },
    /// Give back an order's use (the order was cancelled); a no-op if it has none.
    ReleaseRedemption {
        /// The coupon.
        coupon_id: CouponId,
        /// The cancelled order.
        order_id: OrderId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Stop the coupon from applying; disabling again is a no-op.
    Disable {
        /// The coupon.
        coupon_id: CouponId,
        /// When.
        at: DateTime<Utc>,
    },
}

impl CouponCommand {
    /// The coupon this command is for, which names its stream.
    pub fn coupon_id(&self) -> CouponId {
        match self {
            Self::CreateCoupon { coupon_id, .. }
            | Self::Redeem { coupon_id, .. }
            | Self::ReleaseRedemption { coupon_id, .. }
            | Self::Disable { coupon_id, .. } => *coupon_id,
        }
    }
}
