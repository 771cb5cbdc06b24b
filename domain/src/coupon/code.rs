//! The code a shopper types to use a coupon.

use serde::{Deserialize, Serialize};

use super::error::CouponError;

/// A coupon code: 3-32 of `A-Z 0-9 - _`, upper-cased so codes match regardless of case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(try_from = "String", into = "String")]
pub struct CouponCode(String);

impl CouponCode {
    /// Fewest characters accepted.
    pub const MIN_LEN: usize = 3;
    /// Most characters accepted.
    pub const MAX_LEN: usize = 32;

    /// Parses a code, trimming and upper-casing it.
    pub fn parse(raw: &str) -> Result<Self, CouponError> {
        let code = raw.trim().to_ascii_uppercase();
        let valid = (Self::MIN_LEN..=Self::MAX_LEN).contains(&code.len())
            && code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if valid { Ok(Self(code)) } else { Err(CouponError::InvalidCode) }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for CouponCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for CouponCode {
    type Error = CouponError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CouponCode> for String {
    fn from(value: CouponCode) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_upper_cased_and_restricted() {
        assert_eq!(CouponCode::parse(" summer-24_x ").map(|c| c.to_string()), Ok("SUMMER-24_X".into()));
        assert!(CouponCode::parse("ABC").is_ok());
        assert!(CouponCode::parse(&"A".repeat(32)).is_ok());
        for bad in ["", "AB", "SPACE D", "EURO€", &"A".repeat(33)] {
            assert_eq!(CouponCode::parse(bad), Err(CouponError::InvalidCode), "{bad:?} should be refused");
        }
        assert!(serde_json::from_str::<CouponCode>(r#""no""#).is_err());
    }
}
