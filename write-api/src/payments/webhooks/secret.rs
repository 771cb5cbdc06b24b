//! The Stripe webhook endpoint's signing secret (`whsec_…`), kept out of logs.

use std::fmt;

/// The signing secret Stripe shows for the endpoint; `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningSecret(String);

impl SigningSecret {
    /// The secret's text, unless it is blank: an empty HMAC key would accept
    /// signatures anyone can compute, so a blank secret leaves webhooks off.
    pub fn usable(&self) -> Option<&str> {
        let text = self.0.trim();
        (!text.is_empty()).then_some(text)
    }
}

impl From<&str> for SigningSecret {
    fn from(text: &str) -> Self {
        Self(text.to_owned())
    }
}

impl fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningSecret([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::SigningSecret;

    #[test]
    fn a_blank_secret_is_not_usable_and_no_secret_ever_prints() {
        assert_eq!(SigningSecret::from("  ").usable(), None);
        assert_eq!(SigningSecret::from(" whsec_abc ").usable(), Some("whsec_abc"));
        assert!(!format!("{:?}", SigningSecret::from("whsec_abc")).contains("abc"));
    }
}
