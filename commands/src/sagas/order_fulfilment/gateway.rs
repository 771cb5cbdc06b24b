//! Gateway calls with bounded retries: transient errors (the provider unreachable)
//! are retried with exponential back-off under the same idempotency key; a decline or
//! a rejection is the provider's final word and is returned at once.

use std::future::Future;

use super::settings::SagaSettings;
use emporium_infra::payments::GatewayError;

/// Runs `call` until it succeeds, fails for good, or the attempts are used up.
pub(super) async fn retrying<T, F, Fut>(
    settings: &SagaSettings,
    name: &'static str,
    mut call: F,
) -> Result<T, GatewayError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, GatewayError>>,
{
    let mut backoff = settings.gateway_backoff;
    let mut attempt = 1;
    loop {
        match call().await {
            Err(error) if error.is_transient() && attempt < settings.gateway_attempts.max(1) => {
                tracing::warn!(call = name, attempt, %error, "payment gateway unavailable; retrying");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(settings.max_retry_backoff);
                attempt += 1;
            }
            answer => return answer,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::Duration;

    use super::*;

    fn settings() -> SagaSettings {
        SagaSettings { gateway_attempts: 3, gateway_backoff: Duration::from_millis(1), ..SagaSettings::default() }
    }

    #[tokio::test]
    async fn transient_errors_are_retried_until_success() {
        let calls = AtomicU32::new(0);
        let answer = retrying(&settings(), "test", || async {
            if calls.fetch_add(1, Ordering::SeqCst) < 2 { Err(GatewayError::Unavailable("down".into())) } else { Ok(7) }
        })
        .await;
        assert_eq!((answer, calls.load(Ordering::SeqCst)), (Ok(7), 3));
    }

    #[tokio::test]
    async fn retries_are_bounded_and_declines_are_final() {
        let calls = AtomicU32::new(0);
        let answer: Result<(), _> = retrying(&settings(), "test", || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(GatewayError::Unavailable("down".into()))
        })
        .await;
        assert!(answer.unwrap_err().is_transient());
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        let declines = AtomicU32::new(0);
        let answer: Result<(), _> = retrying(&settings(), "test", || async {
            declines.fetch_add(1, Ordering::SeqCst);
            Err(GatewayError::Declined { reason: "generic_decline".into() })
        })
        .await;
        assert!(answer.is_err());
        assert_eq!(declines.load(Ordering::SeqCst), 1);
    }
}
