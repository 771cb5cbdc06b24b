//! Attempts per address: sign-in and password recovery for one e-mail address are
//! limited whoever sends them, so guesses spread over many client IPs (which the
//! gateway's per-IP limits cannot see as one attack) still meet a limit, and one
//! address cannot be mail-bombed with reset links. A burst of [`BURST`] attempts, then
//! one per [`REFILL`]: a person who mistypes never notices, a guesser gets a few
//! thousand tries a day instead of millions.
//!
//! Every address counts alike, registered or not, so the 429 says nothing about which
//! addresses have accounts. Counts are per process, like the per-IP limits.

use std::num::NonZeroU32;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use emporium_api_kit::ApiError;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Attempts allowed at once per address.
pub const BURST: u32 = 20;
/// One more attempt per address after this long.
pub const REFILL: Duration = Duration::from_secs(30);
/// Idle addresses are forgotten every this many attempts (the limiter keeps every key
/// it has seen until told to forget).
const FORGET_EVERY: u64 = 4096;

fn limiter() -> &'static DefaultKeyedRateLimiter<String> {
    static LIMITER: OnceLock<DefaultKeyedRateLimiter<String>> = OnceLock::new();
    LIMITER.get_or_init(|| {
        let burst = NonZeroU32::new(BURST).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(REFILL).unwrap_or_else(|| Quota::per_minute(burst)).allow_burst(burst);
        RateLimiter::keyed(quota)
    })
}

/// Counts an attempt for `email` (normalised); 429 `auth.too_many_attempts` with
/// `Retry-After` when the address has used its attempts.
pub fn attempt(email: &str) -> Result<(), ApiError> {
    static ATTEMPTS: AtomicU64 = AtomicU64::new(0);
    let limiter = limiter();
    if ATTEMPTS.fetch_add(1, Ordering::Relaxed) % FORGET_EVERY == FORGET_EVERY - 1 {
        limiter.retain_recent();
    }
    limiter.check_key(&email.to_owned()).map_err(|not_until| {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        tracing::warn!("too many sign-in or recovery attempts for one address; answering 429");
        ApiError::too_many_requests(
            "auth.too_many_attempts",
            "too many attempts for this address; wait and try again",
            wait.as_secs().max(1),
        )
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_burst_then_waits_and_others_are_untouched() {
        let address = format!("throttle-{}@example.com", uuid::Uuid::now_v7());
        for _ in 0..BURST {
            attempt(&address).unwrap();
        }
        let refused = attempt(&address).unwrap_err();
        assert_eq!((refused.status.as_u16(), refused.code.as_str()), (429, "auth.too_many_attempts"));
        assert!(refused.retry_after.is_some_and(|s| (1..=REFILL.as_secs()).contains(&s)));
        attempt(&format!("other-{address}")).unwrap();
    }
}
