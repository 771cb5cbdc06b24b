//! Rate limits keyed by client address or account: the `governor` crate's GCRA limiter
//! in this process, or the same algorithm run inside Redis ([`RateLimitStore::Redis`],
//! feature `redis`) so several API replicas behind one balancer count together.
//!
//! A limiter is named (`gateway.every`, `auth.address`, …) and has one [`Quota`]: a
//! burst, then one more request per replenish interval. [`KeyedLimiter::check`] admits a
//! request or says how long to wait. With Redis, every check is one script call; when
//! Redis does not answer, the check falls back to this process's own count (logged),
//! so an outage of the shared store neither opens the gates nor closes the shop.

#[cfg(feature = "redis")]
mod redis;

use std::fmt::Display;
use std::hash::Hash;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, RateLimiter};

pub use governor::Quota;

#[cfg(feature = "redis")]
pub use self::redis::SharedCounts;

/// Where the counts live.
#[derive(Clone, Debug, Default)]
pub enum RateLimitStore {
    /// In this process: each replica allows the whole quota.
    #[default]
    InProcess,
    /// In Redis: every replica using the same server counts together.
    #[cfg(feature = "redis")]
    Redis(SharedCounts),
}

/// Why the rate-limit store could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum RateLimitStoreError {
    /// The URL is not one this build can use.
    #[error("unsupported rate-limit store {0:?}: use redis://host:port (or rediss://)")]
    Unsupported(String),
    /// The server did not answer.
    #[error("the rate-limit store {url} does not answer: {reason}")]
    Unreachable {
        /// The URL, without credentials.
        url: String,
        /// What failed.
        reason: String,
    },
}

impl RateLimitStore {
    /// The store at `url` (`redis://…`), or counts in this process when `None`.
    /// Connects once so that a wrong address is an error at start-up, not a silent
    /// fallback on every request.
    pub async fn open(url: Option<&str>) -> Result<Self, RateLimitStoreError> {
        match url {
            None => Ok(Self::InProcess),
            #[cfg(feature = "redis")]
            Some(url) if url.starts_with("redis://") || url.starts_with("rediss://") => {
                Ok(Self::Redis(SharedCounts::connect(url).await?))
            }
            Some(other) => Err(RateLimitStoreError::Unsupported(other.to_owned())),
        }
    }

    /// A limiter named `name` (the prefix of its keys in a shared store) with `quota`.
    pub fn limiter<K: Hash + Eq + Clone + Display>(&self, name: &'static str, quota: Quota) -> KeyedLimiter<K> {
        KeyedLimiter { name, quota, local: RateLimiter::keyed(quota), store: self.clone() }
    }
}

/// One quota applied per key.
pub struct KeyedLimiter<K: Hash + Eq + Clone> {
    name: &'static str,
    quota: Quota,
    /// The count in this process: the whole count without a shared store, the
    /// fallback while the shared store does not answer.
    local: DefaultKeyedRateLimiter<K>,
    store: RateLimitStore,
}

impl<K: Hash + Eq + Clone + Display> KeyedLimiter<K> {
    /// Counts one request for `key`: `Ok` to admit it, or `Err` with how long until
    /// the key may try again.
    pub async fn check(&self, key: &K) -> Result<(), Duration> {
        match &self.store {
            RateLimitStore::InProcess => {}
            #[cfg(feature = "redis")]
            RateLimitStore::Redis(shared) => {
                if let Some(verdict) = shared.check(self.name, &key.to_string(), self.quota).await {
                    return verdict;
                }
            }
        }
        self.local.check_key(key).map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// Forgets keys idle long enough to have their whole burst back, so memory does
    /// not grow with every key ever seen (keys in Redis expire by themselves).
    pub fn forget_idle(&self) {
        self.local.retain_recent();
        self.local.shrink_to_fit();
    }

    /// The limiter's name.
    pub fn name(&self) -> &'static str {
        self.name
    }
}

impl<K: Hash + Eq + Clone> std::fmt::Debug for KeyedLimiter<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyedLimiter")
            .field("name", &self.name)
            .field("quota", &self.quota)
            .field("store", &self.store)
            .finish()
    }
}

/// Whole seconds to announce in `Retry-After` for a wait (rounded up, at least 1).
pub fn retry_after_secs(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::num::NonZeroU32;

    use super::*;

    #[tokio::test]
    async fn in_process_a_key_gets_its_burst_then_waits_and_other_keys_are_untouched() {
        let quota = Quota::per_minute(NonZeroU32::new(3).unwrap());
        let limiter = RateLimitStore::InProcess.limiter::<String>("test.burst", quota);
        for _ in 0..3 {
            limiter.check(&"ann".to_owned()).await.unwrap();
        }
        let wait = limiter.check(&"ann".to_owned()).await.unwrap_err();
        assert!(wait <= Duration::from_secs(20) && wait > Duration::from_secs(19), "one more every 20 s: {wait:?}");
        limiter.check(&"bob".to_owned()).await.unwrap();
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1_001)), 2);
        assert_eq!(retry_after_secs(Duration::from_secs(20)), 20);
    }

    #[tokio::test]
    async fn a_store_url_this_build_cannot_use_is_refused() {
        let refused = RateLimitStore::open(Some("memcached://127.0.0.1:11211")).await.unwrap_err();
        assert!(matches!(refused, RateLimitStoreError::Unsupported(_)), "{refused}");
    }
}
