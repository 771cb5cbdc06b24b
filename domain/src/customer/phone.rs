//! A contact phone number, loosely checked: formats differ too much by country.

use serde::{Deserialize, Serialize};

use super::error::CustomerError;

/// A phone number: 5-20 characters of digits, spaces, `+` and `-`, with at least one digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    /// Fewest characters accepted.
    pub const MIN_LEN: usize = 5;
    /// Most characters accepted.
    pub const MAX_LEN: usize = 20;

    /// Parses a trimmed phone number.
    pub fn parse(raw: &str) -> Result<Self, CustomerError> {
        let phone = raw.trim();
        let valid = (Self::MIN_LEN..=Self::MAX_LEN).contains(&phone.len())
            && phone.bytes().all(|b| b.is_ascii_digit() || matches!(b, b' ' | b'+' | b'-'))
            && phone.bytes().any(|b| b.is_ascii_digit());
        if valid { Ok(Self(phone.to_owned())) } else { Err(CustomerError::InvalidPhone) }
    }

    /// The number as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Phone {
    type Error = CustomerError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Phone> for String {
    fn from(value: Phone) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_allow_digits_spaces_plus_and_dashes() {
        assert_eq!(Phone::parse(" +44 20-7946 0958 ").map(|p| p.as_str().to_owned()), Ok("+44 20-7946 0958".into()));
        assert!(Phone::parse("12345").is_ok());
        for bad in ["", "1234", "123456789012345678901", "555-CALL-NOW", "(555) 123", "+ - -  ", "12\n345"] {
            assert_eq!(Phone::parse(bad), Err(CustomerError::InvalidPhone), "{bad:?} should be refused");
        }
    }
}
