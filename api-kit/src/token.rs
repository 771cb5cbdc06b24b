//! HS256 JSON Web Tokens (RFC 7519) for short-lived access tokens.
//!
//! Only what Emporium issues is accepted: header `{"alg":"HS256","typ":"JWT"}`, an
//! HMAC-SHA256 signature checked in constant time, an unexpired `exp`, `iss` and `aud`
//! naming this shop, and `iat`/`nbf` not in the future (beyond [`LEEWAY`] of clock
//! difference between processes). Any other algorithm (`none`, RS256 with the secret
//! as a "public key") is refused before the signature is looked at.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::sessions::SessionVersions;

/// `iss` of every token Emporium signs.
pub const ISSUER: &str = "emporium";
/// `aud` of access tokens: the shop's HTTP API.
pub const AUDIENCE: &str = "emporium-api";
/// Seconds of clock difference tolerated for `iat` and `nbf`.
pub const LEEWAY: i64 = 60;

/// What an access token says about its bearer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The customer id.
    pub sub: String,
    /// Role names (`admin`, `manager`, `customer`).
    pub roles: Vec<String>,
    /// Issued at (seconds since the epoch).
    pub iat: i64,
    /// Expires at (seconds since the epoch).
    pub exp: i64,
    /// Token id, unique per token.
    pub jti: String,
    /// Issuer: [`ISSUER`] (absent only from labels that are never verified).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// Audience: [`AUDIENCE`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
    /// Not before (seconds since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// The account's security version at issue ([`crate::sessions`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ver: Option<u64>,
}

impl Claims {
    /// An access token's claims for `sub` with `roles`, valid from `now` for `ttl_secs`,
    /// issued under the account's security `version`.
    pub fn access(sub: String, roles: Vec<String>, now: i64, ttl_secs: i64, version: u64) -> Self {
        Self {
            sub,
            roles,
            iat: now,
            exp: now.saturating_add(ttl_secs),
            jti: uuid::Uuid::now_v7().to_string(),
            iss: Some(ISSUER.to_owned()),
            aud: Some(AUDIENCE.to_owned()),
            nbf: Some(now),
            ver: Some(version),
        }
    }
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not three base64url parts of JSON.
    #[error("malformed token")]
    Malformed,
    /// Not an HS256 token.
    #[error("unsupported token algorithm")]
    Algorithm,
    /// The signature does not match.
    #[error("bad token signature")]
    Signature,
    /// `exp` has passed.
    #[error("token expired")]
    Expired,
    /// `iat` or `nbf` lies in the future.
    #[error("token not valid yet")]
    NotYetValid,
    /// `iss` or `aud` is not this shop's.
    #[error("token issued by or for someone else")]
    WrongParty,
}

const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

/// Signs and verifies access tokens with one secret, and knows which sessions ended.
#[derive(Clone)]
pub struct TokenKeys {
    secret: Vec<u8>,
    sessions: SessionVersions,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKeys(***)")
    }
}

impl TokenKeys {
    /// Keys from a secret of at least 32 bytes.
    pub fn new(secret: &[u8]) -> Option<Self> {
        (secret.len() >= 32).then(|| Self { secret: secret.to_vec(), sessions: SessionVersions::unchecked() })
    }

    /// Also refuses tokens of sessions that `sessions` says have ended.
    pub fn with_sessions(mut self, sessions: SessionVersions) -> Self {
        self.sessions = sessions;
        self
    }

    /// The accounts' security versions these keys check.
    pub fn sessions(&self) -> &SessionVersions {
        &self.sessions
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC accepts keys of any length; this cannot fail.
        Hmac::<Sha256>::new_from_slice(&self.secret).unwrap_or_else(|_| unreachable!("HMAC takes any key length"))
    }

    /// Encodes and signs claims.
    pub fn sign(&self, claims: &Claims) -> String {
        let header = URL_SAFE_NO_PAD.encode(HEADER);
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap_or_default());
        let signing_input = format!("{header}.{payload}");
        let mut mac = self.mac();
        mac.update(signing_input.as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{signing_input}.{signature}")
    }

    /// Verifies the signature and expiry (`now` in seconds since the epoch).
    pub fn verify(&self, token: &str, now: i64) -> Result<Claims, TokenError> {
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed);
        };
        let header_json = URL_SAFE_NO_PAD.decode(header).map_err(|_| TokenError::Malformed)?;
        let header_value: serde_json::Value =
            serde_json::from_slice(&header_json).map_err(|_| TokenError::Malformed)?;
        if header_value.get("alg").and_then(|a| a.as_str()) != Some("HS256") {
            return Err(TokenError::Algorithm);
        }
        let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| TokenError::Malformed)?;
        let mut mac = self.mac();
        mac.update(header.as_bytes());
        mac.update(b".");
        mac.update(payload.as_bytes());
        mac.verify_slice(&signature).map_err(|_| TokenError::Signature)?;
        let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| TokenError::Malformed)?;
        let claims: Claims = serde_json::from_slice(&payload).map_err(|_| TokenError::Malformed)?;
        if claims.exp <= now {
            return Err(TokenError::Expired);
        }
        if claims.iss.as_deref() != Some(ISSUER) || claims.aud.as_deref() != Some(AUDIENCE) {
            return Err(TokenError::WrongParty);
        }
        if claims.iat > now + LEEWAY || claims.nbf.is_some_and(|nbf| nbf > now + LEEWAY) {
            return Err(TokenError::NotYetValid);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> TokenKeys {
        TokenKeys::new(&[7u8; 32]).expect("32-byte secret")
    }

    fn claims(exp: i64) -> Claims {
        Claims::access("c1".into(), vec!["customer".into()], 0, exp, 0)
    }

    #[test]
    fn a_token_for_another_issuer_or_audience_or_from_the_future_is_refused() {
        let mut other_issuer = claims(100);
        other_issuer.iss = Some("someone-else".into());
        assert_eq!(keys().verify(&keys().sign(&other_issuer), 0), Err(TokenError::WrongParty));
        let mut other_audience = claims(100);
        other_audience.aud = None;
        assert_eq!(keys().verify(&keys().sign(&other_audience), 0), Err(TokenError::WrongParty));
        let future = Claims::access("c1".into(), vec![], 1_000, 100, 0);
        assert_eq!(keys().verify(&keys().sign(&future), 1_000 - LEEWAY - 1), Err(TokenError::NotYetValid));
        assert!(keys().verify(&keys().sign(&future), 1_000 - LEEWAY).is_ok(), "within the leeway");
        let mut not_before = claims(10_000);
        not_before.nbf = Some(5_000);
        assert_eq!(keys().verify(&keys().sign(&not_before), 100), Err(TokenError::NotYetValid));
    }

    #[test]
    fn an_rs256_or_hs512_header_is_refused_even_with_a_valid_hs256_signature() {
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims(100)).unwrap());
        for alg in ["RS256", "HS512", "HS256 ", "hs256"] {
            let header = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#));
            let mut mac = keys().mac();
            mac.update(format!("{header}.{payload}").as_bytes());
            let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
            assert_eq!(
                keys().verify(&format!("{header}.{payload}.{signature}"), 0),
                Err(TokenError::Algorithm),
                "{alg}"
            );
        }
    }

    #[test]
    fn a_signed_token_verifies_until_it_expires() {
        let token = keys().sign(&claims(100));
        assert_eq!(keys().verify(&token, 99).expect("valid").sub, "c1");
        assert_eq!(keys().verify(&token, 100), Err(TokenError::Expired));
    }

    #[test]
    fn tampering_or_another_key_breaks_the_signature() {
        let token = keys().sign(&claims(100));
        let other = TokenKeys::new(&[8u8; 32]).expect("secret");
        assert_eq!(other.verify(&token, 0), Err(TokenError::Signature));
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(r#"{"sub":"admin","roles":["admin"],"iat":0,"exp":100,"jti":"x"}"#);
        parts[1] = &forged;
        assert_eq!(keys().verify(&parts.join("."), 0), Err(TokenError::Signature));
    }

    #[test]
    fn none_algorithm_and_garbage_are_refused() {
        let none = format!("{}.{}.", URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#), URL_SAFE_NO_PAD.encode("{}"));
        assert_eq!(keys().verify(&none, 0), Err(TokenError::Algorithm));
        assert_eq!(keys().verify("abc", 0), Err(TokenError::Malformed));
        assert!(TokenKeys::new(b"short").is_none());
    }
}
