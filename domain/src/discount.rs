//! How a coupon's terms turn a subtotal into a discount.

use serde::{Deserialize, Serialize};

use crate::money::{Money, MoneyError};

/// A coupon's discount: a percentage (1-100) or a fixed amount off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Discount {
    /// `percent` per cent off the subtotal, rounded down to the minor unit.
    Percent {
        /// 1 to 100.
        percent: u8,
    },
    /// A fixed amount off, never more than the subtotal.
    Fixed {
        /// The amount off.
        amount: Money,
    },
}

impl Discount {
    /// The amount taken off `subtotal`; never more than the subtotal itself.
    pub fn amount_off(&self, subtotal: &Money) -> Result<Money, MoneyError> {
        match self {
            Discount::Percent { percent } => {
                let pct = i64::from((*percent).min(100));
                // subtotal <= MAX_AMOUNT_MINOR (1e13), so * 100 fits in i64.
                Money::new(subtotal.amount() * pct / 100, subtotal.currency())
            }
            Discount::Fixed { amount } => amount.min(subtotal),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn usd(amount: i64) -> Money {
        Money::new(amount, Currency::parse("USD").unwrap()).unwrap()
    }

    #[test]
    fn percent_rounds_down_and_fixed_never_exceeds_subtotal() {
        assert_eq!(Discount::Percent { percent: 10 }.amount_off(&usd(999)).unwrap(), usd(99));
        assert_eq!(Discount::Fixed { amount: usd(500) }.amount_off(&usd(300)).unwrap(), usd(300));
        assert_eq!(Discount::Fixed { amount: usd(500) }.amount_off(&usd(3000)).unwrap(), usd(500));
    }

    #[test]
    fn fixed_discount_in_another_currency_is_refused() {
        let eur = Money::new(100, Currency::parse("EUR").unwrap()).unwrap();
        assert!(Discount::Fixed { amount: eur }.amount_off(&usd(300)).is_err());
    }
}
