//! How the order fulfilment saga behaves: deadlines, pacing and retries.

use std::time::Duration;

/// Tunables of the order fulfilment saga; [`Default`] is what production uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SagaSettings {
    /// How long an order whose payment failed waits for a new payment method before it
    /// is cancelled (default 15 minutes).
    pub payment_deadline: Duration,
    /// How often due payment deadlines are looked for (default 1 second).
    pub timer_interval: Duration,
    /// Most log events handled per checkpoint commit (default 256).
    pub batch_size: usize,
    /// Orders advanced at the same time within one batch (default 16).
    pub concurrency: usize,
    /// Attempts per payment-gateway call while the gateway reports transient errors
    /// (default 4).
    pub gateway_attempts: u32,
    /// Back-off before the second gateway attempt; doubles each time (default 200 ms).
    pub gateway_backoff: Duration,
    /// Longest back-off between retries of a failed batch (default 30 seconds).
    pub max_retry_backoff: Duration,
}

impl Default for SagaSettings {
    fn default() -> Self {
        Self {
            payment_deadline: Duration::from_secs(15 * 60),
            timer_interval: Duration::from_secs(1),
            batch_size: 256,
            concurrency: 16,
            gateway_attempts: 4,
            gateway_backoff: Duration::from_millis(200),
            max_retry_backoff: Duration::from_secs(30),
        }
    }
}
