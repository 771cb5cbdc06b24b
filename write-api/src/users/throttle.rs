//! Attempts per address: sign-in and password recovery for one e-mail address are
//! limited whoever sends them, so guesses spread over many client IPs (which the
//! gateway's per-IP limits cannot see as one attack) still meet a limit, and one
//! address cannot be mail-bombed with reset links. A burst of [`BURST`] attempts, then
//! one per [`REFILL`]: a person who mistypes never notices, a guesser gets a few
//! thousand tries a day instead of millions.
//!
//! Every address counts alike, registered or not, so the 429 says nothing about which
//! addresses have accounts. Counts live where the gateway's do (this process, or the
//! shared store every replica uses).

use emporium_api_kit::ErrorCode;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use emporium_api_kit::ApiError;
use emporium_infra::rate_limits::{KeyedLimiter, Quota, RateLimitStore, retry_after_secs};

/// Attempts allowed at once per address.
pub const BURST: u32 = 20;
/// One more attempt per address after this long.
pub const REFILL: Duration = Duration::from_secs(30);
/// Idle addresses are forgotten every this many attempts (the limiter keeps every key
/// it has seen until told to forget).
const FORGET_EVERY: u64 = 4096;

/// The attempts per address of one API process.
#[derive(Clone, Debug)]
pub struct AddressAttempts {
    limiter: Arc<KeyedLimiter<String>>,
    attempts: Arc<AtomicU64>,
}

impl AddressAttempts {
    /// Counted in `store`.
    pub fn new(store: &RateLimitStore) -> Self {
        let burst = NonZeroU32::new(BURST).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(REFILL).unwrap_or_else(|| Quota::per_minute(burst)).allow_burst(burst);
        Self { limiter: Arc::new(store.limiter("auth.address", quota)), attempts: Arc::new(AtomicU64::new(0)) }
    }

    /// Counts an attempt for `email` (normalised); 429 `auth.too_many_attempts` with
    /// `Retry-After` when the address has used its attempts.
    pub async fn attempt(&self, email: &str) -> Result<(), ApiError> {
        if self.attempts.fetch_add(1, Ordering::Relaxed) % FORGET_EVERY == FORGET_EVERY - 1 {
            self.limiter.forget_idle();
        }
        self.limiter.check(&email.to_owned()).await.map_err(|wait| {
            tracing::warn!("too many sign-in or recovery attempts for one address; answering 429");
            ApiError::retry_later(
                ErrorCode::AuthTooManyAttempts,
                "too many attempts for this address; wait and try again",
                retry_after_secs(wait),
            )
        })
    }
}

impl Default for AddressAttempts {
    /// Counted in this process.
    fn default() -> Self {
        Self::new(&RateLimitStore::InProcess)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_address_gets_its_burst_then_waits_and_others_are_untouched() {
        let attempts = AddressAttempts::default();
        let address = "throttle@example.com";
        for _ in 0..BURST {
            attempts.attempt(address).await.unwrap();
        }
        let refused = attempts.attempt(address).await.unwrap_err();
        assert_eq!((refused.status.as_u16(), refused.code.as_str()), (429, "auth.too_many_attempts"));
        assert!(refused.retry_after.is_some_and(|s| (1..=REFILL.as_secs()).contains(&s)));
        attempts.attempt("other@example.com").await.unwrap();
    }
}
