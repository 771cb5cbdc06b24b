//! Rate limits per client IP, with the `governor` crate's GCRA limiter: one quota for
//! every request, and a much stricter one for the endpoints an attacker repeats
//! (sign-in, registration, password recovery, refresh, verification resend). A caller
//! over its quota gets 429 `request.rate_limited` in the envelope with `Retry-After`.
//!
//! Counts are per process unless `--rate-limit-store redis://…` names a shared store
//! (see [`emporium_infra::rate_limits`]), so replicas behind a balancer count together.
//! The client is the TCP peer, or behind `--trusted-proxy` proxies the address they
//! recorded ([`crate::client_address`]).

use emporium_api_kit::ErrorCode;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::response::{IntoResponse, Response};
use emporium_api_kit::ApiError;
use emporium_infra::rate_limits::{KeyedLimiter, Quota, RateLimitStore, retry_after_secs};

/// The paths of the strict quota.
const GUARDED: [&str; 5] = [
    "/api/v1/users/login",
    "/api/v1/users/register",
    "/api/v1/users/forgot-password",
    "/api/v1/users/refresh",
    "/api/v1/users/verify-email/resend",
];

/// How often idle clients are forgotten, so the limiter's memory does not grow with
/// every address ever seen.
const FORGET_EVERY: Duration = Duration::from_secs(60);

/// The quotas; `None` is unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quotas {
    /// Requests per second per client IP, for every request.
    pub per_second: Option<NonZeroU32>,
    /// Requests per minute per client IP to the guarded endpoints.
    pub guarded_per_minute: Option<NonZeroU32>,
}

/// The limiters of one process.
#[derive(Clone)]
pub struct RateLimits {
    every: Option<Arc<KeyedLimiter<IpAddr>>>,
    guarded: Option<Arc<KeyedLimiter<IpAddr>>>,
}

impl RateLimits {
    /// Limiters for `quotas`: a burst of the whole quota (a second's or a minute's worth)
    /// is allowed, then requests at the quota's rate; counted in `store`.
    pub fn new(quotas: Quotas, store: &RateLimitStore) -> Self {
        let every = quotas.per_second.map(|n| Arc::new(store.limiter("gateway.every", Quota::per_second(n))));
        let guarded = quotas.guarded_per_minute.map(|n| Arc::new(store.limiter("gateway.auth", Quota::per_minute(n))));
        Self { every, guarded }
    }

    /// Forgets idle clients every minute, for as long as the process runs.
    pub fn spawn_forgetting(&self) {
        let limits = self.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(FORGET_EVERY);
            loop {
                every.tick().await;
                for limiter in [&limits.every, &limits.guarded].into_iter().flatten() {
                    limiter.forget_idle();
                }
            }
        });
    }

    /// Admits `client` to `path`, or says how many seconds until it may try again.
    async fn admit(&self, client: IpAddr, path: &str) -> Result<(), u64> {
        let guarded = if GUARDED.contains(&path) { self.guarded.as_ref() } else { None };
        for limiter in [self.every.as_ref(), guarded].into_iter().flatten() {
            limiter.check(&client).await.map_err(retry_after_secs)?;
        }
        Ok(())
    }
}

impl std::fmt::Debug for RateLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimits")
            .field("every", &self.every.is_some())
            .field("guarded", &self.guarded.is_some())
            .finish()
    }
}

impl RateLimits {
    /// The 429 for a client over its quota, or `None` to let the request through.
    /// Requests without a peer address (in-process tests) are not limited.
    pub async fn refusal(&self, client: Option<IpAddr>, path: &str) -> Option<Response> {
        let client = client?;
        let retry_after = self.admit(client, path).await.err()?;
        tracing::info!(%client, path, retry_after, "rate limited");
        Some(
            ApiError::retry_later(
                ErrorCode::RequestRateLimited,
                format!("too many requests from this address; retry in {retry_after} s"),
                retry_after,
            )
            .into_response(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quotas(per_second: u32, guarded_per_minute: u32) -> Quotas {
        Quotas { per_second: NonZeroU32::new(per_second), guarded_per_minute: NonZeroU32::new(guarded_per_minute) }
    }

    #[tokio::test]
    async fn the_guarded_paths_have_their_own_stricter_quota_per_client() {
        let limits = RateLimits::new(quotas(1_000, 3), &RateLimitStore::InProcess);
        let ann = IpAddr::from([10, 0, 0, 1]);
        let bob = IpAddr::from([10, 0, 0, 2]);
        for _ in 0..3 {
            assert_eq!(limits.admit(ann, "/api/v1/users/login").await, Ok(()));
        }
        let wait = limits.admit(ann, "/api/v1/users/login").await.unwrap_err();
        assert!((1..=20).contains(&wait), "a minute's quota of 3 refills one every 20 s: {wait}");
        assert_eq!(limits.admit(ann, "/api/v1/users/register").await, Err(wait), "one quota for every guarded path");
        assert_eq!(limits.admit(ann, "/api/v1/products").await, Ok(()), "other paths are not guarded");
        assert_eq!(limits.admit(bob, "/api/v1/users/login").await, Ok(()), "another client has its own quota");
    }

    #[tokio::test]
    async fn no_quota_means_no_limit() {
        let limits = RateLimits::new(quotas(0, 0), &RateLimitStore::InProcess);
        let ann = IpAddr::from([10, 0, 0, 1]);
        for _ in 0..10_000 {
            assert_eq!(limits.admit(ann, "/api/v1/users/login").await, Ok(()));
        }
    }
}
