//! What a coupon's stream remembers.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use super::code::CouponCode;
use crate::discount::Discount;
use crate::ids::{CouponId, OrderId};

/// A coupon's stream: `None` until the coupon is created.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CouponState {
    /// The coupon, once created.
    pub(super) coupon: Option<CouponRecord>,
}

impl CouponState {
    /// The coupon, or `None` before it is created.
    pub fn coupon(&self) -> Option<&CouponRecord> {
        self.coupon.as_ref()
    }

    /// True once the coupon exists.
    pub fn exists(&self) -> bool {
        self.coupon.is_some()
    }
}

/// A created coupon.
#[derive(Debug, Clone, PartialEq)]
pub struct CouponRecord {
    pub(super) id: CouponId,
    pub(super) code: CouponCode,
    pub(super) discount: Discount,
    pub(super) valid_from: DateTime<Utc>,
    pub(super) valid_until: DateTime<Utc>,
    pub(super) max_uses: Option<u32>,
    pub(super) redemptions: BTreeSet<OrderId>,
    pub(super) created_at: DateTime<Utc>,
    pub(super) disabled_at: Option<DateTime<Utc>>,
}

impl CouponRecord {
    /// The coupon's id.
    pub fn id(&self) -> CouponId {
        self.id
    }

    /// The code shoppers type.
    pub fn code(&self) -> &CouponCode {
        &self.code
    }

    /// What it takes off.
    pub fn discount(&self) -> Discount {
        self.discount
    }

    /// First instant the coupon applies.
    pub fn valid_from(&self) -> DateTime<Utc> {
        self.valid_from
    }

    /// First instant it no longer applies.
    pub fn valid_until(&self) -> DateTime<Utc> {
        self.valid_until
    }

    /// How many orders may use it; `None` for no limit.
    pub fn max_uses(&self) -> Option<u32> {
        self.max_uses
    }

    /// How many orders use it now.
    pub fn uses(&self) -> u32 {
        u32::try_from(self.redemptions.len()).unwrap_or(u32::MAX)
    }

    /// True when `order_id` uses the coupon.
    pub fn is_redeemed_by(&self, order_id: &OrderId) -> bool {
        self.redemptions.contains(order_id)
    }

    /// The orders using it, ordered by id.
    pub fn redemptions(&self) -> &BTreeSet<OrderId> {
        &self.redemptions
    }

    /// When it was created.
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }

    /// When it was disabled, if it was.
    pub fn disabled_at(&self) -> Option<DateTime<Utc>> {
        self.disabled_at
    }

    /// True once disabled.
    pub fn is_disabled(&self) -> bool {
        self.disabled_at.is_some()
    }
}
