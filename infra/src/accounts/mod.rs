//! State that must never enter the event log, kept beside it: password hashes,
//! single-use tokens (refresh, email verification, password reset), uniqueness
//! claims (an e-mail, a SKU, a coupon code belongs to one aggregate) and idempotency
//! records of HTTP requests.
//!
//! Adapters: [`sqlite`] (a file under the data dir) and [`postgres`] (tables prefixed
//! `acct_`); both pass `tests/tests/accounts.rs`.

mod error;
#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "sqlite")]
pub mod sqlite;
mod stored;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

pub use error::AccountStoreError;

/// What a single-use token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// Trades for a new access token (and is replaced: rotation).
    Refresh,
    /// Proves the owner of an e-mail address.
    EmailVerification,
    /// Allows setting a new password without the old one.
    PasswordReset,
    /// A refresh token already traded in (rotated), remembered until it would have
    /// expired: presenting it again means it was copied, so the account's sessions end.
    SpentRefresh,
}

impl TokenKind {
    /// The stored name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Refresh => "refresh",
            Self::EmailVerification => "email_verification",
            Self::PasswordReset => "password_reset",
            Self::SpentRefresh => "spent_refresh",
        }
    }
}

/// What a uniqueness claim is about. The stored names are part of the account
/// store's data: a new kind gets a new name, an existing name never changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClaimKind {
    /// A product's SKU → the product's id.
    Sku,
    /// A category's name under its parent → the category's id.
    CategoryName,
    /// A coupon's upper-cased code → the coupon's id.
    CouponCode,
    /// A payment-method reference (an order's, or a saved method's id) → the provider
    /// token, kept out of the log.
    PaymentToken,
    /// A Stripe event id → how its delivery was handled (at most once per event).
    StripeEvent,
}

impl ClaimKind {
    /// The stored name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Sku => "sku",
            Self::CategoryName => "category_name",
            Self::CouponCode => "coupon_code",
            Self::PaymentToken => "payment_token",
            Self::StripeEvent => "stripe_event",
        }
    }
}

impl std::fmt::Display for ClaimKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A login: who, with which address, and the Argon2id PHC string of their password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The customer.
    pub customer_id: Uuid,
    /// Lower-cased e-mail address.
    pub email: String,
    /// `$argon2id$…` PHC string.
    pub password_hash: String,
}

/// A stored HTTP answer for an `Idempotency-Key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotentResponse {
    /// SHA-256 of method, path and body of the first request: a different request
    /// reusing the key is refused.
    pub request_hash: String,
    /// The first answer's status code.
    pub status: u16,
    /// Its headers worth replaying (Location, X-Emporium-Position, Content-Type).
    pub headers: Vec<(String, String)>,
    /// Its body.
    pub body: Vec<u8>,
}

/// The port.
#[async_trait]
pub trait AccountStore: Send + Sync + 'static {
    /// Stores a new login; [`AccountStoreError::Duplicate`] when the e-mail is taken.
    async fn create_credentials(&self, credentials: &Credentials) -> Result<(), AccountStoreError>;
    /// The login for an e-mail address.
    async fn credentials_by_email(&self, email: &str) -> Result<Option<Credentials>, AccountStoreError>;
    /// The login of a customer.
    async fn credentials_by_id(&self, customer_id: Uuid) -> Result<Option<Credentials>, AccountStoreError>;
    /// Replaces a customer's password hash.
    async fn set_password_hash(&self, customer_id: Uuid, password_hash: &str) -> Result<(), AccountStoreError>;

    /// Stores a token by the SHA-256 of its secret (the secret itself is never stored).
    async fn insert_token(
        &self,
        token_hash: &str,
        kind: TokenKind,
        customer_id: Uuid,
        expires_at: DateTime<Utc>,
    ) -> Result<(), AccountStoreError>;
    /// Atomically deletes an unexpired token and returns its customer: single use.
    async fn consume_token(
        &self,
        token_hash: &str,
        kind: TokenKind,
        now: DateTime<Utc>,
    ) -> Result<Option<Uuid>, AccountStoreError>;
    /// Deletes every token of a kind for a customer (logout everywhere, password change).
    async fn revoke_tokens(&self, customer_id: Uuid, kind: TokenKind) -> Result<(), AccountStoreError>;

    /// The account's security version (0 until first bumped): access tokens carry the
    /// version they were issued under and are refused once it is older.
    async fn security_version(&self, customer_id: Uuid) -> Result<u64, AccountStoreError>;
    /// Bumps the account's security version, ending every access token issued before;
    /// returns the new version.
    async fn bump_security_version(&self, customer_id: Uuid) -> Result<u64, AccountStoreError>;

    /// Claims `key` of `kind` for `owner`; returns the owner that holds it — `owner`
    /// itself when the claim is new or repeated.
    async fn claim_unique(&self, kind: ClaimKind, key: &str, owner: &str) -> Result<String, AccountStoreError>;
    /// Who holds `key` of `kind`.
    async fn unique_owner(&self, kind: ClaimKind, key: &str) -> Result<Option<String>, AccountStoreError>;

    /// The stored answer for an idempotency key (scoped by caller), unless it was
    /// stored before `fresh_since` (expired).
    async fn idempotent_response(
        &self,
        scope: &str,
        key: &str,
        fresh_since: DateTime<Utc>,
    ) -> Result<Option<IdempotentResponse>, AccountStoreError>;
    /// Stores the first answer for an idempotency key; a second store of the same key
    /// keeps the first unless that one expired (stored before `fresh_since`). Expired
    /// answers of every key are deleted on the way.
    async fn save_idempotent_response(
        &self,
        scope: &str,
        key: &str,
        response: &IdempotentResponse,
        fresh_since: DateTime<Utc>,
    ) -> Result<(), AccountStoreError>;
}
