//! Where an order goes: a shipping address with an ISO 3166 country.

use serde::{Deserialize, Serialize};

use crate::values::{ValueError, bounded_text};

/// The officially assigned ISO 3166-1 alpha-2 codes, sorted for binary search.
pub const ASSIGNED_COUNTRY_CODES: [&str; 249] = [
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ", "BA", "BB", "BD",
    "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV", "BW", "BY", "BZ", "CA",
    "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE",
    "DJ", "DK", "DM", "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA",
    "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK",
    "HM", "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM", "JO", "JP",
    "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT",
    "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS",
    "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ",
    "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS",
    "RU", "RW", "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS", "ST",
    "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR", "TT", "TV", "TW",
    "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI", "VN", "VU", "WF", "WS", "YE", "YT", "ZA",
    "ZM", "ZW",
];

/// Why a country code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an assigned ISO 3166-1 alpha-2 country code")]
pub struct InvalidCountryCode(pub String);

/// An assigned ISO 3166-1 alpha-2 country code, upper case (`DE`, `US`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    /// Parses a code; lower case and surrounding spaces are accepted.
    pub fn parse(raw: &str) -> Result<Self, InvalidCountryCode> {
        let code = raw.trim().to_ascii_uppercase();
        match code.as_bytes() {
            [a, b] if ASSIGNED_COUNTRY_CODES.binary_search(&code.as_str()).is_ok() => Ok(Self([*a, *b])),
            _ => Err(InvalidCountryCode(raw.chars().take(8).collect())),
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        // The constructor only admits ASCII letters.
        std::str::from_utf8(&self.0).unwrap_or("ZZ")
    }
}

impl std::fmt::Display for CountryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for CountryCode {
    type Error = InvalidCountryCode;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CountryCode> for String {
    fn from(value: CountryCode) -> Self {
        value.as_str().to_owned()
    }
}

/// Where an order is shipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ShippingAddress {
    /// The recipient, 1-200 characters.
    pub name: String,
    /// Street and number, 1-200 characters.
    pub line1: String,
    /// Anything else (flat, floor), up to 200 characters.
    pub line2: Option<String>,
    /// 1-100 characters.
    pub city: String,
    /// 1-20 characters.
    pub postal_code: String,
    /// ISO 3166-1 alpha-2.
    pub country: CountryCode,
}

impl ShippingAddress {
    /// Longest name, line1 and line2.
    pub const MAX_LINE_LEN: usize = 200;
    /// Longest city.
    pub const MAX_CITY_LEN: usize = 100;
    /// Longest postal code.
    pub const MAX_POSTAL_CODE_LEN: usize = 20;

    /// The address with every field trimmed and checked; a blank `line2` becomes `None`.
    pub fn normalized(&self) -> Result<ShippingAddress, ValueError> {
        let line2 = match self.line2.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(line2) => Some(bounded_text("shipping_address.line2", line2, Self::MAX_LINE_LEN)?),
        };
        Ok(ShippingAddress {
            name: bounded_text("shipping_address.name", &self.name, Self::MAX_LINE_LEN)?,
            line1: bounded_text("shipping_address.line1", &self.line1, Self::MAX_LINE_LEN)?,
            line2,
            city: bounded_text("shipping_address.city", &self.city, Self::MAX_CITY_LEN)?,
            postal_code: bounded_text("shipping_address.postal_code", &self.postal_code, Self::MAX_POSTAL_CODE_LEN)?,
            country: self.country,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn the_code_list_is_sorted_and_unique() {
        assert!(ASSIGNED_COUNTRY_CODES.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn only_assigned_codes_are_accepted() {
        assert_eq!(CountryCode::parse(" de ").unwrap().as_str(), "DE");
        assert_eq!(CountryCode::parse("US").unwrap().to_string(), "US");
        for bad in ["", "D", "DEU", "XX", "ZZ", "UK", "1A", "ü"] {
            assert!(CountryCode::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn country_codes_serialize_as_text() {
        let de = CountryCode::parse("DE").unwrap();
        assert_eq!(serde_json::to_string(&de).unwrap(), r#""DE""#);
        assert_eq!(serde_json::from_str::<CountryCode>(r#""fr""#).unwrap().as_str(), "FR");
        assert!(serde_json::from_str::<CountryCode>(r#""XX""#).is_err());
    }

    #[test]
    fn addresses_are_trimmed_and_bounded() {
        let address = ShippingAddress {
            name: " Ann Lee ".into(),
            line1: "1 Main St".into(),
            line2: Some("  ".into()),
            city: "Berlin".into(),
            postal_code: "10115".into(),
            country: CountryCode::parse("DE").unwrap(),
        };
        let normalized = address.normalized().unwrap();
        assert_eq!(normalized.name, "Ann Lee");
        assert_eq!(normalized.line2, None);
        let too_long = ShippingAddress { postal_code: "1".repeat(21), ..address.clone() };
        assert_eq!(
            too_long.normalized(),
            Err(ValueError::InvalidText { field: "shipping_address.postal_code", max: 20 })
        );
        let blank = ShippingAddress { city: " ".into(), ..address };
        assert!(blank.normalized().is_err());
    }
}
