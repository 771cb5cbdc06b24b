//! The facts recorded about a coupon.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::code::CouponCode;
use crate::discount::Discount;
use crate::event::DomainEvent;
use crate::ids::{CouponId, OrderId};

/// Something that happened to a coupon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "event_type", content = "data")]
pub enum CouponEvent {
    /// The coupon was created.
    CouponCreated(CouponCreated),
    /// An order used the coupon.
    CouponRedeemed(CouponRedeemed),
    /// An order's use was given back.
    CouponRedemptionReleased(CouponRedemptionReleased),
    /// The coupon was disabled.
    CouponDisabled(CouponDisabled),
}

/// A coupon was created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CouponCreated {
    /// The coupon.
    pub coupon_id: CouponId,
    /// The code shoppers type, upper-cased.
    pub code: CouponCode,
    /// What it takes off.
    pub discount: Discount,
    /// First instant the coupon applies.
    pub valid_from: DateTime<Utc>,
    /// First instant it no longer applies.
    pub valid_until: DateTime<Utc>,
    /// How many orders may use it; `None` for no limit.
    pub max_uses: Option<u32>,
    /// When.
    pub at: DateTime<Utc>,
}

/// An order used the coupon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CouponRedeemed {
    /// The coupon.
    pub coupon_id: CouponId,
    /// The order.
    pub order_id: OrderId,
    /// Uses after this event.
    pub uses: u32,
    /// When.
    pub at: DateTime<Utc>,
}

/// An order's use was given back, so another order may use it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CouponRedemptionReleased {
    /// The coupon.
    pub coupon_id: CouponId,
    /// The order that no longer uses it.
    pub order_id: OrderId,
    /// Uses after this event.
    pub uses: u32,
    /// When.
    pub at: DateTime<Utc>,
}

/// The coupon was disabled and no longer applies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CouponDisabled {
    /// The coupon.
    pub coupon_id: CouponId,
    /// When.
    pub at: DateTime<Utc>,
}

impl CouponEvent {
    /// The coupon whose stream holds this event.
    pub fn coupon_id(&self) -> CouponId {
        match self {
            Self::CouponCreated(e) => e.coupon_id,
            Self::CouponRedeemed(e) => e.coupon_id,
            Self::CouponRedemptionReleased(e) => e.coupon_id,
            Self::CouponDisabled(e) => e.coupon_id,
        }
    }

    /// When it happened.
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            Self::CouponCreated(e) => e.at,
            Self::CouponRedeemed(e) => e.at,
            Self::CouponRedemptionReleased(e) => e.at,
            Self::CouponDisabled(e) => e.at,
        }
    }
}

impl DomainEvent for CouponEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::CouponCreated(_) => "CouponCreated",
            Self::CouponRedeemed(_) => "CouponRedeemed",
            Self::CouponRedemptionReleased(_) => "CouponRedemptionReleased",
            Self::CouponDisabled(_) => "CouponDisabled",
        }
    }
}
