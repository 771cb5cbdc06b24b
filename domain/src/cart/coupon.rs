//! Checks on a coupon's code and discount, shared by carts and orders.

use crate::discount::Discount;
use crate::values::{ValueError, bounded_text};

/// Longest coupon code accepted.
pub const MAX_COUPON_CODE_LEN: usize = 64;

/// Trims and upper-cases a coupon code; codes are compared case-insensitively.
pub fn normalize_coupon_code(raw: &str) -> Result<String, ValueError> {
    bounded_text("coupon code", raw, MAX_COUPON_CODE_LEN).map(|code| code.to_ascii_uppercase())
}

/// True when a discount takes something off: 1-100 per cent, or a positive amount.
pub fn discount_is_valid(discount: &Discount) -> bool {
    match discount {
        Discount::Percent { percent } => (1..=100).contains(percent),
        Discount::Fixed { amount } => !amount.is_zero(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::money::{Currency, Money};

    #[test]
    fn codes_are_trimmed_upper_cased_and_bounded() {
        assert_eq!(normalize_coupon_code("  save10 ").unwrap(), "SAVE10");
        assert!(normalize_coupon_code("   ").is_err());
        assert!(normalize_coupon_code(&"x".repeat(MAX_COUPON_CODE_LEN + 1)).is_err());
    }

    #[test]
    fn a_discount_must_take_something_off() {
        let usd = Currency::parse("USD").unwrap();
        assert!(discount_is_valid(&Discount::Percent { percent: 1 }));
        assert!(discount_is_valid(&Discount::Percent { percent: 100 }));
        assert!(!discount_is_valid(&Discount::Percent { percent: 0 }));
        assert!(!discount_is_valid(&Discount::Percent { percent: 101 }));
        assert!(!discount_is_valid(&Discount::Fixed { amount: Money::zero(usd) }));
        assert!(discount_is_valid(&Discount::Fixed { amount: Money::new(1, usd).unwrap() }));
    }
}
