//! How the dispatcher runs.

use std::time::Duration;

use emporium_domain::notification::RetryPolicy;

use super::unsubscribe::UnsubscribeKey;

/// The dispatcher's settings; [`NotificationSettings::new`] gives the defaults.
#[derive(Debug, Clone)]
pub struct NotificationSettings {
    /// The shop's public base URL, for links in messages (`http://127.0.0.1:8080`).
    pub public_url: String,
    /// Signs the unsubscribe links of campaign messages; the write API checks them
    /// with the same key.
    pub unsubscribe_key: UnsubscribeKey,
    /// How failed deliveries are retried (default: 15 attempts, 1 s doubling, at most 1 h apart).
    pub retry: RetryPolicy,
    /// Longest one send may take before it counts as failed (default 30 s).
    pub send_timeout: Duration,
    /// How often due retries are looked for (default 1 s).
    pub timer_interval: Duration,
    /// Most events handled per batch (default 256).
    pub batch_size: usize,
    /// Most notifications queued or sent at once (default 8).
    pub concurrency: usize,
    /// Events older than this cause no message (the customer directory still learns
    /// from them), so a dispatcher started on an old log does not mail its history.
    /// `None` mails everything (default 7 days).
    pub max_event_age: Option<Duration>,
    /// Longest back-off between retries of a failed batch (default 30 s).
    pub max_retry_backoff: Duration,
}

impl NotificationSettings {
    /// The defaults, with links under `public_url` signed by `unsubscribe_key`.
    pub fn new(public_url: impl Into<String>, unsubscribe_key: UnsubscribeKey) -> Self {
        Self {
            public_url: public_url.into(),
            unsubscribe_key,
            retry: RetryPolicy::default(),
            send_timeout: Duration::from_secs(30),
            timer_interval: Duration::from_secs(1),
            batch_size: 256,
            concurrency: 8,
            max_event_age: Some(Duration::from_secs(7 * 24 * 3600)),
            max_retry_backoff: Duration::from_secs(30),
        }
    }
}
