//! Why a coupon command or applicability check was refused.

use chrono::{DateTime, Utc};

/// A refused coupon command; [`CouponError::code`] gives its stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CouponError {
    /// The coupon was created before.
    #[error("coupon already exists")]
    AlreadyExists,
    /// No coupon has been created in this stream.
    #[error("coupon not found")]
    NotFound,
    /// The code is not 3-32 of `A-Z 0-9 - _`.
    #[error("coupon code must be 3 to 32 of A-Z, 0-9, '-' and '_'")]
    InvalidCode,
    /// A percentage outside 1-100.
    #[error("percent {0} is outside 1..=100")]
    InvalidPercent(u8),
    /// A fixed discount of zero.
    #[error("a fixed discount must be above zero")]
    InvalidAmount,
    /// `valid_until` is not after `valid_from`.
    #[error("valid_until must be after valid_from")]
    InvalidValidity,
    /// A usage limit of zero.
    #[error("max_uses must be at least 1")]
    InvalidMaxUses,
    /// The coupon was disabled.
    #[error("coupon is disabled")]
    Disabled,
    /// The coupon's validity window has not started.
    #[error("coupon is valid from {valid_from}")]
    NotYetValid {
        /// When it starts to apply.
        valid_from: DateTime<Utc>,
    },
    /// The coupon's validity window has ended.
    #[error("coupon expired at {valid_until}")]
    Expired {
        /// When it stopped applying.
        valid_until: DateTime<Utc>,
    },
    /// Every allowed use is taken.
    #[error("coupon has been used {max_uses} times, its limit")]
    UsageLimitReached {
        /// The limit.
        max_uses: u32,
    },
}

impl CouponError {
    /// The stable, documented code of this refusal.
    pub fn code(&self) -> &'static str {
        match self {
            Self::AlreadyExists => "coupon.already_exists",
            Self::NotFound => "coupon.not_found",
            Self::InvalidCode => "coupon.invalid_code",
            Self::InvalidPercent(_) => "coupon.invalid_percent",
            Self::InvalidAmount => "coupon.invalid_amount",
            Self::InvalidValidity => "coupon.invalid_validity",
            Self::InvalidMaxUses => "coupon.invalid_max_uses",
            Self::Disabled => "coupon.disabled",
            Self::NotYetValid { .. } => "coupon.not_yet_valid",
            Self::Expired { .. } => "coupon.expired",
            Self::UsageLimitReached { .. } => "coupon.usage_limit_reached",
        }
    }
}
