//! Sessions that end when they should: each access token carries the account's
//! security version at issue (`ver`), and every authenticated request compares it with
//! the account's current version, so a password change or reset, a sign-out everywhere
//! or a revoked role ends every older access token on its next request instead of
//! when it expires.
//!
//! The current versions are read from the account store and kept for [`FRESH_FOR`]:
//! a bump made in this process is seen at once (it goes through
//! [`SessionVersions::end_all`]), one made by another process within that time. While
//! the store cannot be reached (or answers slower than [`LOOKUP_TIMEOUT`]) the last
//! version read is used; an account never read before gets 503 `store.unavailable`.
//! A process without an account store checks nothing ([`SessionVersions::unchecked`]).

use crate::codes::ErrorCode;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use emporium_infra::accounts::AccountStore;
use uuid::Uuid;

use crate::error::ApiError;

/// How long a version read from the store is trusted.
pub const FRESH_FOR: Duration = Duration::from_secs(1);
/// The longest a request waits for the account store to tell a version.
pub const LOOKUP_TIMEOUT: Duration = Duration::from_secs(1);
/// Most versions kept in memory; the cache is emptied beyond (they are re-read cheaply).
const MAX_CACHED: usize = 100_000;

/// The accounts' current security versions, cached briefly.
#[derive(Clone)]
pub struct SessionVersions {
    accounts: Option<Arc<dyn AccountStore>>,
    cache: Arc<Mutex<HashMap<Uuid, (u64, Instant)>>>,
}

impl std::fmt::Debug for SessionVersions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionVersions").field("checked", &self.accounts.is_some()).finish_non_exhaustive()
    }
}

impl SessionVersions {
    /// Versions read from `accounts`.
    pub fn new(accounts: Arc<dyn AccountStore>) -> Self {
        Self { accounts: Some(accounts), cache: Arc::default() }
    }

    /// No check at all (a process that has no account store).
    pub fn unchecked() -> Self {
        Self { accounts: None, cache: Arc::default() }
    }

    /// The account's current version (0 when unchecked).
    pub async fn current(&self, customer_id: Uuid) -> Result<u64, ApiError> {
        let Some(accounts) = &self.accounts else { return Ok(0) };
        let cached = self.lock().get(&customer_id).copied();
        if let Some((version, at)) = cached
            && at.elapsed() < FRESH_FOR
        {
            return Ok(version);
        }
        let unavailable =
            || ApiError::retry_later(ErrorCode::StoreUnavailable, "the account store is unavailable; retry shortly", 2);
        match tokio::time::timeout(LOOKUP_TIMEOUT, accounts.security_version(customer_id)).await {
            Ok(Ok(version)) => {
                self.remember(customer_id, version);
                Ok(version)
            }
            Ok(Err(error)) if !error.is_unavailable() => Err(ApiError::internal(&error)),
            failed => {
                tracing::warn!(%customer_id, timed_out = failed.is_err(), "the account store did not tell a security version");
                cached.map(|(version, _)| version).ok_or_else(unavailable)
            }
        }
    }

    /// 401 unless a token issued under `version` is still good for the account.
    pub async fn check(&self, customer_id: Uuid, version: u64) -> Result<(), ApiError> {
        if version < self.current(customer_id).await? {
            return Err(ApiError::unauthorized(
                "this session has ended (password changed, signed out or role revoked); sign in again",
            ));
        }
        Ok(())
    }

    /// Ends every session of the account issued so far; returns the new version.
    pub async fn end_all(&self, customer_id: Uuid) -> Result<u64, ApiError> {
        let Some(accounts) = &self.accounts else { return Ok(0) };
        let version = accounts.bump_security_version(customer_id).await.map_err(|e| ApiError::internal(&e))?;
        self.remember(customer_id, version);
        Ok(version)
    }

    fn remember(&self, customer_id: Uuid, version: u64) {
        let mut cache = self.lock();
        if cache.len() >= MAX_CACHED {
            cache.clear();
        }
        let entry = cache.entry(customer_id).or_insert((version, Instant::now()));
        // Never step back: a slow read must not undo a bump recorded meanwhile.
        *entry = (entry.0.max(version), Instant::now());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, (u64, Instant)>> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
