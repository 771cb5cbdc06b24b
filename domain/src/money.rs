//! Money in integer minor units with an ISO 4217 currency; never a float.

use serde::{Deserialize, Serialize};

/// The largest amount accepted anywhere (one hundred billion major units).
pub const MAX_AMOUNT_MINOR: i64 = 10_000_000_000_000;

/// An ISO 4217 alphabetic currency code: three ASCII upper-case letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    /// Parses a three-letter code; lower case is accepted and upper-cased.
    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        let bytes = code.as_bytes();
        if bytes.len() != 3 || !bytes.iter().all(u8::is_ascii_alphabetic) {
            return Err(MoneyError::InvalidCurrency(code.chars().take(16).collect()));
        }
        Ok(Self([bytes[0].to_ascii_uppercase(), bytes[1].to_ascii_uppercase(), bytes[2].to_ascii_uppercase()]))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        // The constructor only admits ASCII letters.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// Decimals of its minor unit (the ISO 4217 exponent): 0 for JPY, 3 for KWD,
    /// 2 for the rest.
    pub fn decimals(&self) -> u32 {
        if NO_DECIMALS.contains(&self.as_str()) {
            0
        } else if THREE_DECIMALS.contains(&self.as_str()) {
            3
        } else {
            2
        }
    }

    /// `minor` units of this currency in major units with its decimals, without the
    /// code: `1999` USD is `19.99`, `500` JPY is `500`, `1234` KWD is `1.234`.
    pub fn major_units(&self, minor: i64) -> String {
        let places = self.decimals();
        let sign = if minor < 0 { "-" } else { "" };
        let magnitude = minor.unsigned_abs();
        if places == 0 {
            return format!("{sign}{magnitude}");
        }
        let unit = 10u64.pow(places);
        format!("{sign}{}.{:0width$}", magnitude / unit, magnitude % unit, width = places as usize)
    }
}

/// Currencies without minor units (ISO 4217 exponent 0).
const NO_DECIMALS: [&str; 16] =
    ["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"];
/// Currencies with three decimals.
const THREE_DECIMALS: [&str; 7] = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];

impl std::fmt::Display for Currency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for Currency {
    type Error = MoneyError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Currency> for String {
    fn from(value: Currency) -> Self {
        value.as_str().to_owned()
    }
}

/// Why money could not be made or combined.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// The currency code is not three letters.
    #[error("invalid currency code {0:?}")]
    InvalidCurrency(String),
    /// The amount is negative or above [`MAX_AMOUNT_MINOR`].
    #[error("amount {0} is out of range")]
    OutOfRange(i128),
    /// Two amounts in different currencies were combined.
    #[error("currency mismatch: {0} and {1}")]
    CurrencyMismatch(Currency, Currency),
}

/// A non-negative amount of money in minor units (cents) of one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(try_from = "RawMoney")]
pub struct Money {
    /// Minor units, `0..=MAX_AMOUNT_MINOR`.
    amount: i64,
    /// ISO 4217 code.
    currency: Currency,
}

/// The wire shape of [`Money`] before its range is checked.
#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
struct RawMoney {
    /// Minor units, `0..=MAX_AMOUNT_MINOR`.
    amount: i64,
    /// ISO 4217 code.
    currency: Currency,
}

impl TryFrom<RawMoney> for Money {
    type Error = MoneyError;
    fn try_from(raw: RawMoney) -> Result<Self, Self::Error> {
        Money::new(raw.amount, raw.currency)
    }
}

impl Money {
    /// Makes an amount, refusing negatives and absurd sizes.
    pub fn new(amount: i64, currency: Currency) -> Result<Self, MoneyError> {
        Self::checked(i128::from(amount), currency)
    }

    /// Zero in a currency.
    pub fn zero(currency: Currency) -> Self {
        Self { amount: 0, currency }
    }

    fn checked(amount: i128, currency: Currency) -> Result<Self, MoneyError> {
        if amount < 0 || amount > i128::from(MAX_AMOUNT_MINOR) {
            return Err(MoneyError::OutOfRange(amount));
        }
        // In range of i64 by the check above.
        Ok(Self { amount: amount as i64, currency })
    }

    /// Minor units.
    pub fn amount(&self) -> i64 {
        self.amount
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// True when the amount is zero.
    pub fn is_zero(&self) -> bool {
        self.amount == 0
    }

    fn same_currency(&self, other: &Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch(self.currency, other.currency))
        }
    }

    /// `self + other`, same currency, within range.
    pub fn checked_add(&self, other: &Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        Self::checked(i128::from(self.amount) + i128::from(other.amount), self.currency)
    }

    /// `self - other`, same currency, never below zero.
    pub fn checked_sub(&self, other: &Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        Self::checked(i128::from(self.amount) - i128::from(other.amount), self.currency)
    }

    /// `self - other`, floored at zero.
    pub fn saturating_sub(&self, other: &Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        Ok(Self { amount: (self.amount - other.amount).max(0), currency: self.currency })
    }

    /// `self * quantity`, within range.
    pub fn checked_mul(&self, quantity: u32) -> Result<Money, MoneyError> {
        Self::checked(i128::from(self.amount) * i128::from(quantity), self.currency)
    }

    /// The smaller of two amounts of the same currency.
    pub fn min(&self, other: &Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        Ok(if self.amount <= other.amount { *self } else { *other })
    }

    /// Sums amounts of one currency; an empty list sums to zero in `currency`.
    pub fn sum<'a>(currency: Currency, amounts: impl IntoIterator<Item = &'a Money>) -> Result<Money, MoneyError> {
        amounts.into_iter().try_fold(Money::zero(currency), |acc, m| acc.checked_add(m))
    }
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.currency.major_units(self.amount), self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::parse("usd").unwrap()
    }

    #[test]
    fn currency_is_three_letters_upper_cased() {
        assert_eq!(usd().as_str(), "USD");
        assert!(Currency::parse("US").is_err());
        assert!(Currency::parse("U$D").is_err());
        assert!(Currency::parse("EURO").is_err());
    }

    #[test]
    fn negative_and_absurd_amounts_are_refused() {
        assert!(Money::new(-1, usd()).is_err());
        assert!(Money::new(MAX_AMOUNT_MINOR + 1, usd()).is_err());
        assert!(Money::new(MAX_AMOUNT_MINOR, usd()).is_ok());
    }

    #[test]
    fn arithmetic_refuses_mixed_currencies_and_going_below_zero() {
        let eur = Currency::parse("EUR").unwrap();
        let a = Money::new(500, usd()).unwrap();
        assert!(a.checked_add(&Money::new(1, eur).unwrap()).is_err());
        assert!(a.checked_sub(&Money::new(501, usd()).unwrap()).is_err());
        assert_eq!(a.checked_mul(3).unwrap().amount(), 1500);
        assert_eq!(a.saturating_sub(&Money::new(900, usd()).unwrap()).unwrap().amount(), 0);
    }

    #[test]
    fn money_reads_in_major_units_with_the_currencys_decimals() {
        let money = |amount, code| Money::new(amount, Currency::parse(code).unwrap()).unwrap();
        assert_eq!(money(1999, "USD").to_string(), "19.99 USD");
        assert_eq!(money(5, "EUR").to_string(), "0.05 EUR");
        assert_eq!(money(0, "EUR").to_string(), "0.00 EUR");
        assert_eq!(money(500, "JPY").to_string(), "500 JPY");
        assert_eq!(money(1234, "KWD").to_string(), "1.234 KWD");
        assert_eq!(Currency::parse("USD").unwrap().major_units(-250), "-2.50");
    }

    #[test]
    fn money_serializes_as_amount_and_currency() {
        let json = serde_json::to_string(&Money::new(1234, usd()).unwrap()).unwrap();
        assert_eq!(json, r#"{"amount":1234,"currency":"USD"}"#);
        let back: Money = serde_json::from_str(&json).unwrap();
        assert_eq!(back.amount(), 1234);
        assert!(serde_json::from_str::<Money>(r#"{"amount":-5,"currency":"USD"}"#).is_err());
    }
}
