//! Unsubscribe tokens: the customer id with an HMAC-SHA256 tag under a server key,
//! base64url. Anyone holding a customer's token can only opt that customer out of
//! marketing; without the key no token can be made. Tokens are put into campaign
//! messages when they are sent, never into the log.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use emporium_domain::ids::CustomerId;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

/// Bytes of the tag kept in a token (128 bits).
const TAG_LEN: usize = 16;
/// What the tag signs besides the customer id, so the key signs nothing else alike.
const PURPOSE: &[u8] = b"emporium/unsubscribe/v1:";

/// The key unsubscribe tokens are made and checked with.
#[derive(Clone)]
pub struct UnsubscribeKey {
    secret: Vec<u8>,
}

impl std::fmt::Debug for UnsubscribeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UnsubscribeKey(***)")
    }
}

impl UnsubscribeKey {
    /// A key from a secret of at least 32 bytes.
    pub fn new(secret: &[u8]) -> Option<Self> {
        (secret.len() >= 32).then(|| Self { secret: secret.to_vec() })
    }

    /// A key derived (SHA-256) from secret material of any length, e.g. a MAC the
    /// server computes under its own secret: whoever lacks that secret cannot
    /// derive the key.
    pub fn derived_from(material: &[u8]) -> Self {
        use sha2::Digest;
        let mut hash = Sha256::new();
        hash.update(PURPOSE);
        hash.update(material);
        Self { secret: hash.finalize().to_vec() }
    }

    fn tag(&self, customer_id: CustomerId) -> Hmac<Sha256> {
        // HMAC takes keys of any length.
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.secret).unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(PURPOSE);
        mac.update(customer_id.as_uuid().as_bytes());
        mac
    }

    /// The token that unsubscribes `customer_id`.
    pub fn token(&self, customer_id: CustomerId) -> String {
        let tag = self.tag(customer_id).finalize().into_bytes();
        let mut bytes = customer_id.as_uuid().as_bytes().to_vec();
        bytes.extend_from_slice(&tag[..TAG_LEN]);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// The customer a token unsubscribes, if the token is genuine.
    pub fn verify(&self, token: &str) -> Option<CustomerId> {
        if token.len() > 64 {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(token.trim()).ok()?;
        if bytes.len() != 16 + TAG_LEN {
            return None;
        }
        let (id, tag) = bytes.split_at(16);
        let customer_id = CustomerId::from_uuid(Uuid::from_slice(id).ok()?);
        self.tag(customer_id).verify_truncated_left(tag).ok()?;
        Some(customer_id)
    }

    /// The link that unsubscribes `customer_id`, under the shop's public URL.
    pub fn link(&self, public_url: &str, customer_id: CustomerId) -> String {
        format!(
            "{}/api/v1/notifications/unsubscribe?token={}",
            public_url.trim_end_matches('/'),
            self.token(customer_id)
        )
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn key(byte: u8) -> UnsubscribeKey {
        UnsubscribeKey::new(&[byte; 32]).unwrap()
    }

    #[test]
    fn a_token_names_its_customer_and_only_under_its_key() {
        let ann = CustomerId::from_uuid(Uuid::from_u128(7));
        let token = key(1).token(ann);
        assert_eq!(key(1).verify(&token), Some(ann));
        assert_eq!(key(2).verify(&token), None);
        assert!(token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(
            key(1).link("http://shop.test/", ann),
            format!("http://shop.test/api/v1/notifications/unsubscribe?token={token}")
        );
    }

    #[test]
    fn forged_and_malformed_tokens_are_refused() {
        let ann = CustomerId::from_uuid(Uuid::from_u128(7));
        let mut forged = URL_SAFE_NO_PAD.decode(key(1).token(ann)).unwrap();
        forged[3] ^= 1; // another customer, same tag
        for bad in [
            URL_SAFE_NO_PAD.encode(forged),
            String::new(),
            "not base64!".into(),
            "x".repeat(500),
            URL_SAFE_NO_PAD.encode([0u8; 8]),
        ] {
            assert_eq!(key(1).verify(&bad), None, "{bad:?}");
        }
        assert!(UnsubscribeKey::new(b"short").is_none());
        assert_eq!(UnsubscribeKey::derived_from(b"m").token(ann), UnsubscribeKey::derived_from(b"m").token(ann));
        assert_ne!(UnsubscribeKey::derived_from(b"m").token(ann), UnsubscribeKey::derived_from(b"n").token(ann));
        assert!(!format!("{:?}", key(1)).contains('1'));
    }
}
