//! Money as the API shows it: `{amount, currency}` in minor units in JSON, and, for
//! people (invoices), the amount with its currency's decimals (`1999` USD is
//! `19.99 USD`, `500` JPY is `500 JPY`). One shape for both APIs' answers.

use std::fmt;

use emporium_domain::money::{Currency, Money};
use serde::Serialize;

/// The currency shown for the zero totals of an empty cart, which has no currency
/// of its own until its first item.
pub const EMPTY_CART_CURRENCY: &str = "USD";

/// Money as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MoneyView {
    /// Minor units (cents).
    pub amount: i64,
    /// ISO 4217 code.
    pub currency: String,
}

impl From<&Money> for MoneyView {
    fn from(money: &Money) -> Self {
        Self { amount: money.amount(), currency: money.currency().as_str().to_owned() }
    }
}

impl From<Money> for MoneyView {
    fn from(money: Money) -> Self {
        Self::from(&money)
    }
}

impl MoneyView {
    /// The zero total of an empty cart.
    pub fn empty_cart() -> Self {
        Self { amount: 0, currency: EMPTY_CART_CURRENCY.to_owned() }
    }

    /// The amount in major units with the currency's decimals, without the code: `19.99`.
    pub fn major_units(&self) -> String {
        match Currency::parse(&self.currency) {
            Ok(currency) => currency.major_units(self.amount),
            // Not a currency the shop writes: the minor units, as they are.
            Err(_) => self.amount.to_string(),
        }
    }
}

/// The amount and its code, for people: `19.99 USD`.
impl fmt::Display for MoneyView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.major_units(), self.currency)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use emporium_domain::money::Currency;

    use super::*;

    fn money(amount: i64, currency: &str) -> MoneyView {
        MoneyView { amount, currency: currency.into() }
    }

    #[test]
    fn minor_units_become_major_units_with_the_right_decimals() {
        assert_eq!(money(1999, "USD").to_string(), "19.99 USD");
        assert_eq!(money(5, "EUR").to_string(), "0.05 EUR");
        assert_eq!(money(0, "EUR").to_string(), "0.00 EUR");
        assert_eq!(money(500, "JPY").to_string(), "500 JPY");
        assert_eq!(money(1234, "KWD").to_string(), "1.234 KWD");
        assert_eq!(money(10_000_000_000_000, "USD").major_units(), "100000000000.00");
    }

    #[test]
    fn domain_money_shows_as_minor_units_and_its_code() {
        let eur = Money::new(1500, Currency::parse("eur").unwrap()).unwrap();
        assert_eq!(MoneyView::from(&eur), money(1500, "EUR"));
    }
}
