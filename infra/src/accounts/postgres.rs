//! The account store on PostgreSQL, in `acct_` tables so it can share a database
//! with the event and read stores.
//!
//! Every operation is one statement, so each is atomic on its own: a token is
//! consumed by one `DELETE … RETURNING` (two racing refreshes cannot both win), a
//! claim by one `INSERT … ON CONFLICT DO NOTHING` followed by a read of the holder.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgPool, PgPoolOptions};
use uuid::Uuid;

use super::error::is_unique_violation;
use super::stored::{decode_headers, encode_headers, normalise_email};
use super::{AccountStore, AccountStoreError, ClaimKind, Credentials, IdempotentResponse, TokenKind};

/// An [`AccountStore`] in PostgreSQL.
#[derive(Debug, Clone)]
pub struct PostgresAccountStore {
    pool: PgPool,
}

impl PostgresAccountStore {
    /// Connects to `url` and applies the account store's migrations.
    pub async fn connect(url: &str) -> Result<Self, AccountStoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(6)
            .idle_timeout(Duration::from_secs(60))
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await
            .map_err(AccountStoreError::db("connecting to the PostgreSQL account store"))?;
        Self::with_pool(pool).await
    }

    /// Uses an existing pool (e.g. the event store's) and applies the migrations.
    pub async fn with_pool(pool: PgPool) -> Result<Self, AccountStoreError> {
        migrator().run(&pool).await?;
        Ok(Self { pool })
    }

    /// The underlying pool (for diagnostics and tests).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

/// The account store's migrations; they share `_sqlx_migrations` with other components.
fn migrator() -> sqlx::migrate::Migrator {
    let mut migrator = sqlx::migrate!("./migrations/accounts/postgres");
    migrator.set_ignore_missing(true);
    migrator
}

type CredentialsRow = (Uuid, String, String);

fn credentials((customer_id, email, password_hash): CredentialsRow) -> Credentials {
    Credentials { customer_id, email, password_hash }
}

async fn insert_credentials(pool: &PgPool, c: &Credentials, email: &str) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO acct_credentials (customer_id, email, password_hash) VALUES ($1, $2, $3)")
        .bind(c.customer_id)
        .bind(email)
        .bind(&c.password_hash)
        .execute(pool)
        .await
        .map(drop)
}

async fn select_credentials_by_email(pool: &PgPool, email: &str) -> Result<Option<CredentialsRow>, sqlx::Error> {
    sqlx::query_as("SELECT customer_id, email, password_hash FROM acct_credentials WHERE email = $1")
        .bind(email)
        .fetch_optional(pool)
        .await
}

async fn select_credentials_by_id(pool: &PgPool, customer_id: Uuid) -> Result<Option<CredentialsRow>, sqlx::Error> {
    sqlx::query_as("SELECT customer_id, email, password_hash FROM acct_credentials WHERE customer_id = $1")
        .bind(customer_id)
        .fetch_optional(pool)
        .await
}

async fn update_password_hash(pool: &PgPool, customer_id: Uuid, hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE acct_credentials SET password_hash = $2, updated_at = now() WHERE customer_id = $1")
        .bind(customer_id)
        .bind(hash)
        .execute(pool)
        .await
        .map(drop)
}

/// Drops a customer's expired tokens of one kind, so unused ones do not pile up.
async fn delete_expired_tokens(pool: &PgPool, customer_id: Uuid, kind: TokenKind) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM acct_tokens WHERE customer_id = $1 AND kind = $2 AND expires_at <= now()")
        .bind(customer_id)
        .bind(kind.as_str())
        .execute(pool)
        .await
        .map(drop)
}

async fn insert_token_row(
    pool: &PgPool,
    hash: &str,
    kind: TokenKind,
    customer_id: Uuid,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO acct_tokens (token_hash, kind, customer_id, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(hash)
        .bind(kind.as_str())
        .bind(customer_id)
        .bind(expires_at)
        .execute(pool)
        .await
        .map(drop)
}

/// Deletes the token whatever its expiry (a spent or stale secret is useless) and
/// returns its owner and expiry.
async fn delete_token(
    pool: &PgPool,
    hash: &str,
    kind: TokenKind,
) -> Result<Option<(Uuid, DateTime<Utc>)>, sqlx::Error> {
    sqlx::query_as("DELETE FROM acct_tokens WHERE token_hash = $1 AND kind = $2 RETURNING customer_id, expires_at")
        .bind(hash)
        .bind(kind.as_str())
        .fetch_optional(pool)
        .await
}

async fn delete_tokens_of(pool: &PgPool, customer_id: Uuid, kind: TokenKind) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM acct_tokens WHERE customer_id = $1 AND kind = $2")
        .bind(customer_id)
        .bind(kind.as_str())
        .execute(pool)
        .await
        .map(drop)
}

async fn insert_claim(pool: &PgPool, kind: &str, key: &str, owner: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO acct_unique_claims (kind, key, owner) VALUES ($1, $2, $3) ON CONFLICT (kind, key) DO NOTHING",
    )
    .bind(kind)
    .bind(key)
    .bind(owner)
    .execute(pool)
    .await
    .map(drop)
}

async fn select_claim_owner(pool: &PgPool, kind: &str, key: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT owner FROM acct_unique_claims WHERE kind = $1 AND key = $2")
        .bind(kind)
        .bind(key)
        .fetch_optional(pool)
        .await
}

type IdempotencyRow = (String, i16, String, Vec<u8>);

async fn select_idempotent(
    pool: &PgPool,
    scope: &str,
    key: &str,
    fresh_since: DateTime<Utc>,
) -> Result<Option<IdempotencyRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT request_hash, status, headers::text, body FROM acct_idempotency \
         WHERE scope = $1 AND key = $2 AND created_at >= $3",
    )
    .bind(scope)
    .bind(key)
    .bind(fresh_since)
    .fetch_optional(pool)
    .await
}

async fn insert_idempotent(
    pool: &PgPool,
    scope: &str,
    key: &str,
    response: &IdempotentResponse,
    status: i16,
    fresh_since: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM acct_idempotency WHERE created_at < $1").bind(fresh_since).execute(&mut *tx).await?;
    sqlx::query(
        "INSERT INTO acct_idempotency (scope, key, request_hash, status, headers, body) \
         VALUES ($1, $2, $3, $4, $5::jsonb, $6) ON CONFLICT (scope, key) DO NOTHING",
    )
    .bind(scope)
    .bind(key)
    .bind(&response.request_hash)
    .bind(status)
    .bind(encode_headers(&response.headers))
    .bind(&response.body)
    .execute(&mut *tx)
    .await?;
    tx.commit().await.map(drop)
}

#[async_trait]
impl AccountStore for PostgresAccountStore {
    async fn create_credentials(&self, credentials: &Credentials) -> Result<(), AccountStoreError> {
        let email = normalise_email(&credentials.email);
        match insert_credentials(&self.pool, credentials, &email).await {
            Ok(()) => Ok(()),
            Err(error) if is_unique_violation(&error) => Err(AccountStoreError::Duplicate(email)),
            Err(error) => {
                Err(AccountStoreError::db(format!("storing the login of customer {}", credentials.customer_id))(error))
            }
        }
    }

    async fn credentials_by_email(&self, email: &str) -> Result<Option<Credentials>, AccountStoreError> {
        let row = select_credentials_by_email(&self.pool, &normalise_email(email))
            .await
            .map_err(AccountStoreError::db("looking up a login by e-mail"))?;
        Ok(row.map(credentials))
    }

    async fn credentials_by_id(&self, customer_id: Uuid) -> Result<Option<Credentials>, AccountStoreError> {
        let row = select_credentials_by_id(&self.pool, customer_id)
            .await
            .map_err(AccountStoreError::db(format!("looking up the login of customer {customer_id}")))?;
        Ok(row.map(credentials))
    }

    async fn set_password_hash(&self, customer_id: Uuid, password_hash: &str) -> Result<(), AccountStoreError> {
        update_password_hash(&self.pool, customer_id, password_hash)
            .await
            .map_err(AccountStoreError::db(format!("changing the password of customer {customer_id}")))
    }

    async fn insert_token(
        &self,
        token_hash: &str,
        kind: TokenKind,
        customer_id: Uuid,
        expires_at: DateTime<Utc>,
    ) -> Result<(), AccountStoreError> {
        let context = || format!("storing a {} token of customer {customer_id}", kind.as_str());
        delete_expired_tokens(&self.pool, customer_id, kind).await.map_err(AccountStoreError::db(context()))?;
        insert_token_row(&self.pool, token_hash, kind, customer_id, expires_at)
            .await
            .map_err(AccountStoreError::db(context()))
    }

    async fn consume_token(
        &self,
        token_hash: &str,
        kind: TokenKind,
        now: DateTime<Utc>,
    ) -> Result<Option<Uuid>, AccountStoreError> {
        let row = delete_token(&self.pool, token_hash, kind)
            .await
            .map_err(AccountStoreError::db(format!("consuming a {} token", kind.as_str())))?;
        Ok(row.filter(|(_, expires)| *expires > now).map(|(customer_id, _)| customer_id))
    }

    async fn revoke_tokens(&self, customer_id: Uuid, kind: TokenKind) -> Result<(), AccountStoreError> {
        delete_tokens_of(&self.pool, customer_id, kind)
            .await
            .map_err(AccountStoreError::db(format!("revoking the {} tokens of customer {customer_id}", kind.as_str())))
    }

    async fn security_version(&self, customer_id: Uuid) -> Result<u64, AccountStoreError> {
        let version: Option<i64> =
            sqlx::query_scalar("SELECT version FROM acct_security_versions WHERE customer_id = $1")
                .bind(customer_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(AccountStoreError::db(format!("reading the security version of customer {customer_id}")))?;
        Ok(version.map_or(0, |v| v.max(0) as u64))
    }

    async fn bump_security_version(&self, customer_id: Uuid) -> Result<u64, AccountStoreError> {
        let version: i64 = sqlx::query_scalar(
            "INSERT INTO acct_security_versions (customer_id, version) VALUES ($1, 1) \
             ON CONFLICT (customer_id) DO UPDATE SET version = acct_security_versions.version + 1 RETURNING version",
        )
        .bind(customer_id)
        .fetch_one(&self.pool)
        .await
        .map_err(AccountStoreError::db(format!("bumping the security version of customer {customer_id}")))?;
        Ok(version.max(0) as u64)
    }

    async fn claim_unique(&self, kind: ClaimKind, key: &str, owner: &str) -> Result<String, AccountStoreError> {
        let kind = kind.as_str();
        let context = || format!("claiming {kind} {key:?}");
        insert_claim(&self.pool, kind, key, owner).await.map_err(AccountStoreError::db(context()))?;
        select_claim_owner(&self.pool, kind, key).await.map_err(AccountStoreError::db(context()))?.ok_or_else(|| {
            AccountStoreError::Corrupt { context: context(), reason: "the claim vanished after it was made".to_owned() }
        })
    }

    async fn unique_owner(&self, kind: ClaimKind, key: &str) -> Result<Option<String>, AccountStoreError> {
        let kind = kind.as_str();
        select_claim_owner(&self.pool, kind, key)
            .await
            .map_err(AccountStoreError::db(format!("looking up the owner of {kind} {key:?}")))
    }

    async fn idempotent_response(
        &self,
        scope: &str,
        key: &str,
        fresh_since: DateTime<Utc>,
    ) -> Result<Option<IdempotentResponse>, AccountStoreError> {
        let context = || format!("reading the answer for idempotency key {key:?}");
        let Some((request_hash, status, headers, body)) =
            select_idempotent(&self.pool, scope, key, fresh_since).await.map_err(AccountStoreError::db(context()))?
        else {
            return Ok(None);
        };
        let status = u16::try_from(status)
            .map_err(|_| AccountStoreError::Corrupt { context: context(), reason: format!("status {status}") })?;
        Ok(Some(IdempotentResponse { request_hash, status, headers: decode_headers(&headers, context)?, body }))
    }

    async fn save_idempotent_response(
        &self,
        scope: &str,
        key: &str,
        response: &IdempotentResponse,
        fresh_since: DateTime<Utc>,
    ) -> Result<(), AccountStoreError> {
        let context = || format!("storing the answer for idempotency key {key:?}");
        // HTTP status codes are three digits; anything else is a caller's bug.
        let status = i16::try_from(response.status).map_err(|_| AccountStoreError::Corrupt {
            context: context(),
            reason: format!("status {}", response.status),
        })?;
        insert_idempotent(&self.pool, scope, key, response, status, fresh_since)
            .await
            .map_err(AccountStoreError::db(context()))
    }
}
