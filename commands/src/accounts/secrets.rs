//! Opaque single-use tokens (refresh, e-mail verification, password reset): 32 random
//! bytes from the OS, base64url for the client, and only their SHA-256 kept in the
//! account store, so a leaked database holds no usable token.

use std::time::Duration;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use emporium_infra::accounts::{AccountStore, TokenKind};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::AccountError;

/// The OS could not supply random bytes.
#[derive(Debug, thiserror::Error)]
#[error("no randomness for a token: {0}")]
pub struct RandomnessError(String);

/// A fresh secret: 32 random bytes as 43 characters of base64url.
pub fn new_secret() -> Result<String, RandomnessError> {
    let mut bytes = [0u8; 32];
    OsRng.try_fill_bytes(&mut bytes).map_err(|e| RandomnessError(e.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// What the account store keeps of a secret: its SHA-256 as lower-case hex.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// `now + ttl`, clamped to a century so absurd settings cannot overflow.
pub fn expiry(now: DateTime<Utc>, ttl: Duration) -> DateTime<Utc> {
    let century = chrono::Duration::days(36_500);
    let ttl = chrono::Duration::from_std(ttl).unwrap_or(century).min(century);
    now + ttl
}

/// Stores a new token of `kind` for `customer_id`, valid for `ttl`; returns the secret.
pub async fn issue(
    accounts: &dyn AccountStore,
    kind: TokenKind,
    customer_id: Uuid,
    ttl: Duration,
) -> Result<String, AccountError> {
    let secret = new_secret()?;
    accounts.insert_token(&digest(&secret), kind, customer_id, expiry(Utc::now(), ttl)).await?;
    Ok(secret)
}

/// Remembers a refresh token just traded in as spent, for `ttl` (until it would have
/// expired; see the write API's `users::login` for what a reuse does).
pub async fn remember_spent(
    accounts: &dyn AccountStore,
    customer_id: Uuid,
    secret: &str,
    ttl: Duration,
) -> Result<(), AccountError> {
    accounts.insert_token(&digest(secret), TokenKind::SpentRefresh, customer_id, expiry(Utc::now(), ttl)).await?;
    Ok(())
}

/// Spends a token: its customer when it was issued, unexpired and unused; `None` otherwise.
pub async fn redeem(accounts: &dyn AccountStore, kind: TokenKind, secret: &str) -> Result<Option<Uuid>, AccountError> {
    Ok(accounts.consume_token(&digest(secret), kind, Utc::now()).await?)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_43_base64url_characters_and_differ() {
        let (a, b) = (new_secret().unwrap(), new_secret().unwrap());
        assert_eq!(a.len(), 43);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
        assert_ne!(a, b);
        assert_eq!(digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn expiry_never_overflows() {
        let now = Utc::now();
        assert_eq!(expiry(now, Duration::from_secs(60)), now + chrono::Duration::seconds(60));
        assert_eq!(expiry(now, Duration::MAX), now + chrono::Duration::days(36_500));
    }
}
