//! Payment-method tokens: kept out of events and logs, and never a card number.
//!
//! A provider token (a Stripe `pm_…`, a PayPal vault id) lets the gateway charge a
//! customer, so it is handled like a secret: [`MethodToken`] never prints and cannot be
//! serialized, and events carry only its [`TokenFingerprint`]. The fingerprint is a
//! name-based UUID (v5) of the token: it recognises the same token again without
//! revealing it, as long as the provider's tokens are random.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A payment provider's token for a payment method; never printed, never serialized.
#[derive(Clone, PartialEq, Eq)]
pub struct MethodToken(String);

impl MethodToken {
    /// Wraps a token as received; the deciders check it.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The token itself, for the gateway adapter and nothing else.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The fingerprint that events carry instead of the token.
    pub fn fingerprint(&self) -> TokenFingerprint {
        TokenFingerprint(Uuid::new_v5(&TOKEN_NAMESPACE, self.0.trim().as_bytes()))
    }

    /// True when the token is in fact a card number.
    pub fn looks_like_card_number(&self) -> bool {
        looks_like_card_number(&self.0)
    }
}

impl std::fmt::Debug for MethodToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MethodToken(<redacted>)")
    }
}

impl From<String> for MethodToken {
    fn from(token: String) -> Self {
        Self(token)
    }
}

impl From<&str> for MethodToken {
    fn from(token: &str) -> Self {
        Self(token.to_owned())
    }
}

/// The UUID namespace of token fingerprints (fixed for ever: changing it breaks dedup).
const TOKEN_NAMESPACE: Uuid = Uuid::from_u128(0x6d0c_1b5e_8f3a_4c2d_9e71_5a40_b2f8_e913);

/// A one-way fingerprint of a [`MethodToken`], safe to store in events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct TokenFingerprint(Uuid);

impl TokenFingerprint {
    /// The UUID inside.
    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl std::fmt::Display for TokenFingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// True when `text` is 13 to 19 digits once spaces and dashes are removed: the shape
/// of a primary account number, which must never be stored.
pub fn looks_like_card_number(text: &str) -> bool {
    let mut digits = 0usize;
    for c in text.trim().chars() {
        match c {
            '0'..='9' => digits += 1,
            ' ' | '-' => {}
            _ => return false,
        }
    }
    (13..=19).contains(&digits)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn card_numbers_are_recognised_with_spaces_and_dashes() {
        for pan in
            ["4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111", "5500000000004", " 6011000990139424 "]
        {
            assert!(looks_like_card_number(pan), "{pan:?}");
        }
        for other in ["pm_card_visa", "tok_4111111111111111", "123456789012", "12345678901234567890", "", "4111 1111 x"]
        {
            assert!(!looks_like_card_number(other), "{other:?}");
        }
    }

    #[test]
    fn tokens_never_print() {
        let token = MethodToken::new("pm_secret_123");
        assert_eq!(format!("{token:?}"), "MethodToken(<redacted>)");
        assert_eq!(token.expose(), "pm_secret_123");
    }

    #[test]
    fn fingerprints_are_stable_and_distinct() {
        let a = MethodToken::new("pm_a").fingerprint();
        assert_eq!(a, MethodToken::new(" pm_a ").fingerprint());
        assert_ne!(a, MethodToken::new("pm_b").fingerprint());
        assert!(!a.to_string().contains("pm_a"));
    }
}
