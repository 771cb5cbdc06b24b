//! How often and how soon a failed delivery is tried again: exponential back-off
//! from a first delay, capped, for at most a number of attempts.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::error::NotificationError;

/// The retry rules a notification was queued with (recorded, so replays agree).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RetryPolicy {
    /// Most delivery attempts, the first included (1-[`RetryPolicy::MAX_ATTEMPTS`]).
    pub max_attempts: u32,
    /// Wait after the first failure, in milliseconds; doubles after each further one.
    pub first_delay_ms: u64,
    /// Longest wait between two attempts, in milliseconds.
    pub max_delay_ms: u64,
}

impl RetryPolicy {
    /// The largest `max_attempts` accepted.
    pub const MAX_ATTEMPTS: u32 = 50;
    /// The longest `max_delay_ms` accepted: one day.
    pub const MAX_DELAY_MS: u64 = 24 * 3600 * 1000;

    /// Checks the bounds: 1-50 attempts, `first_delay_ms <= max_delay_ms <= 1 day`.
    pub fn validate(&self) -> Result<Self, NotificationError> {
        let valid = (1..=Self::MAX_ATTEMPTS).contains(&self.max_attempts)
            && self.first_delay_ms <= self.max_delay_ms
            && self.max_delay_ms <= Self::MAX_DELAY_MS;
        if valid { Ok(*self) } else { Err(NotificationError::InvalidRetryPolicy) }
    }

    /// The wait after failed attempt number `attempt` (1-based):
    /// `first_delay · 2^(attempt-1)`, at most `max_delay`.
    pub fn delay_after(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(1).min(63);
        let delay = self.first_delay_ms.saturating_mul(1u64 << doublings).min(self.max_delay_ms);
        Duration::from_millis(delay)
    }
}

impl Default for RetryPolicy {
    /// 15 attempts, 1 s then doubling, capped at 1 h: a channel that is down for
    /// about three hours delays mail but loses none.
    fn default() -> Self {
        Self { max_attempts: 15, first_delay_ms: 1_000, max_delay_ms: 3_600_000 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_from_the_first_and_stop_at_the_cap() {
        let policy = RetryPolicy { max_attempts: 6, first_delay_ms: 1_000, max_delay_ms: 5_000 };
        let delays: Vec<u64> = (1..=5).map(|a| policy.delay_after(a).as_millis() as u64).collect();
        assert_eq!(delays, [1_000, 2_000, 4_000, 5_000, 5_000]);
        assert_eq!(policy.delay_after(u32::MAX).as_millis(), 5_000, "no overflow for absurd attempts");
    }

    #[test]
    fn policies_out_of_bounds_are_refused() {
        assert!(RetryPolicy::default().validate().is_ok());
        for bad in [
            RetryPolicy { max_attempts: 0, ..RetryPolicy::default() },
            RetryPolicy { max_attempts: 51, ..RetryPolicy::default() },
            RetryPolicy { first_delay_ms: 10, max_delay_ms: 5, ..RetryPolicy::default() },
            RetryPolicy { max_delay_ms: RetryPolicy::MAX_DELAY_MS + 1, ..RetryPolicy::default() },
        ] {
            assert_eq!(bad.validate(), Err(NotificationError::InvalidRetryPolicy), "{bad:?}");
        }
    }
}
