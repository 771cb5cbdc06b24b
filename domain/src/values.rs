//! Validated value types: each has a private field and one fallible constructor.

use serde::{Deserialize, Serialize};

/// Why a value could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    /// Not a plausible e-mail address.
    #[error("invalid email address")]
    InvalidEmail,
    /// A SKU must be 1-64 characters of A-Z, 0-9, '-' and '_'.
    #[error("invalid SKU {0:?}")]
    InvalidSku(String),
    /// A quantity must be between 1 and [`Quantity::MAX`].
    #[error("quantity {0} is out of range 1..={max}", max = Quantity::MAX)]
    InvalidQuantity(i64),
    /// A text field is empty or too long.
    #[error("{field} must be 1 to {max} characters")]
    InvalidText {
        /// Which field.
        field: &'static str,
        /// Its maximum length in characters.
        max: usize,
    },
}

/// A lower-cased e-mail address with one `@`, a local part and a dotted domain.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Longest address accepted (RFC 5321 path limit).
    pub const MAX_LEN: usize = 254;

    /// Parses and normalises (trims, lower-cases) an address.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let email = raw.trim().to_lowercase();
        let (local, domain) = email.split_once('@').ok_or(ValueError::InvalidEmail)?;
        let valid = email.len() <= Self::MAX_LEN
            && !local.is_empty()
            && local.len() <= 64
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && !email.chars().any(|c| c.is_whitespace() || c.is_control());
        if valid { Ok(Self(email)) } else { Err(ValueError::InvalidEmail) }
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = ValueError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

/// A stock-keeping unit code: 1-64 of `A-Z 0-9 - _`, upper-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(try_from = "String", into = "String")]
pub struct Sku(String);

impl Sku {
    /// Parses a SKU, upper-casing letters.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let sku = raw.trim().to_ascii_uppercase();
        let valid = !sku.is_empty()
            && sku.len() <= 64
            && sku.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if valid { Ok(Self(sku)) } else { Err(ValueError::InvalidSku(raw.chars().take(70).collect())) }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Sku {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Sku {
    type Error = ValueError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Sku> for String {
    fn from(value: Sku) -> Self {
        value.0
    }
}

/// A positive count of units in one line or one stock movement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(try_from = "u32", into = "u32")]
pub struct Quantity(u32);

impl Quantity {
    /// The largest quantity one line or movement may carry.
    pub const MAX: u32 = 1_000_000;

    /// Makes a quantity in `1..=MAX`.
    pub fn new(value: i64) -> Result<Self, ValueError> {
        if (1..=i64::from(Self::MAX)).contains(&value) {
            // In range of u32 by the check above.
            Ok(Self(value as u32))
        } else {
            Err(ValueError::InvalidQuantity(value))
        }
    }

    /// The count.
    pub fn get(&self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for Quantity {
    type Error = ValueError;
    fn try_from(value: u32) -> Result<Self, Self::Error> {
        Self::new(i64::from(value))
    }
}

impl From<Quantity> for u32 {
    fn from(value: Quantity) -> Self {
        value.0
    }
}

/// Checks a free-text field: trimmed, non-empty, at most `max` characters.
pub fn bounded_text(field: &'static str, raw: &str, max: usize) -> Result<String, ValueError> {
    let text = raw.trim();
    if text.is_empty() || text.chars().count() > max {
        Err(ValueError::InvalidText { field, max })
    } else {
        Ok(text.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_normalised_and_checked() {
        assert_eq!(Email::parse("  Ann@Example.COM ").unwrap().as_str(), "ann@example.com");
        for bad in ["", "ann", "ann@", "@example.com", "ann@example", "a b@example.com", "a@b@c.com", "ann@.com"] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn sku_is_upper_cased_and_restricted() {
        assert_eq!(Sku::parse("tee-red_l").unwrap().as_str(), "TEE-RED_L");
        assert!(Sku::parse("").is_err());
        assert!(Sku::parse("has space").is_err());
        assert!(Sku::parse(&"A".repeat(65)).is_err());
    }

    #[test]
    fn quantity_is_positive_and_bounded() {
        assert!(Quantity::new(0).is_err());
        assert!(Quantity::new(-3).is_err());
        assert!(Quantity::new(i64::from(Quantity::MAX) + 1).is_err());
        assert_eq!(Quantity::new(7).unwrap().get(), 7);
        assert!(serde_json::from_str::<Quantity>("0").is_err());
    }

    #[test]
    fn bounded_text_trims_and_limits() {
        assert_eq!(bounded_text("name", "  Tee ", 10).unwrap(), "Tee");
        assert!(bounded_text("name", "   ", 10).is_err());
        assert!(bounded_text("name", &"x".repeat(11), 10).is_err());
    }
}
