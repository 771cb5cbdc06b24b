//! Read-your-writes: writes answer with the global position of their last event
//! (`X-Emporium-Position`); a read sent with `X-Emporium-Min-Position: N` waits,
//! at most [`MAX_WAIT`], until its read model has applied N.
//!
//! How far the read models got is read from their stored checkpoints
//! ([`AppliedPosition`]), so it holds whichever process applied them: a read API
//! replica with no projections of its own sees what a `projector` process committed.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue};
use axum::response::Response;
use emporium_infra::read_store::{ReadStore, ReadStoreError};

use crate::error::ApiError;

/// `X-Emporium-Position`.
pub static POSITION: HeaderName = HeaderName::from_static("x-emporium-position");
/// `X-Emporium-Min-Position`.
pub static MIN_POSITION: HeaderName = HeaderName::from_static("x-emporium-min-position");
/// The longest a read waits for its read model.
pub const MAX_WAIT: Duration = Duration::from_secs(5);
/// How often a waiting read looks at the stored checkpoints again.
const POLL: Duration = Duration::from_millis(10);

/// The position every read model has applied, from the checkpoints in the read store.
#[derive(Clone)]
pub struct AppliedPosition {
    store: Arc<dyn ReadStore>,
    projections: Arc<[String]>,
    /// The highest minimum seen so far: checkpoints only move forward (a rebuild
    /// resets them, and reads during a rebuild are not promised anything).
    seen: Arc<AtomicU64>,
}

impl std::fmt::Debug for AppliedPosition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppliedPosition").field("projections", &self.projections).finish_non_exhaustive()
    }
}

impl AppliedPosition {
    /// Watches the checkpoints of `projections` in `store`.
    pub fn new(store: Arc<dyn ReadStore>, projections: impl IntoIterator<Item = String>) -> Self {
        Self { store, projections: projections.into_iter().collect(), seen: Arc::new(AtomicU64::new(0)) }
    }

    /// The lowest stored checkpoint of the projections, read now.
    pub async fn current(&self) -> Result<u64, ReadStoreError> {
        let mut lowest = u64::MAX;
        for name in self.projections.iter() {
            lowest = lowest.min(self.store.checkpoint(name).await?);
        }
        let lowest = if self.projections.is_empty() { 0 } else { lowest };
        self.seen.fetch_max(lowest, Ordering::Relaxed);
        Ok(lowest)
    }

    /// Whether `position` is known to be applied without asking the store.
    fn known(&self, position: u64) -> bool {
        self.seen.load(Ordering::Relaxed) >= position
    }
}

/// Sets `X-Emporium-Position` on a response.
pub fn with_position(mut response: Response, position: u64) -> Response {
    response.headers_mut().insert(POSITION.clone(), HeaderValue::from(position));
    response
}

/// The position a read must see, from `X-Emporium-Min-Position` (0 when absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MinPosition(pub u64);

impl<S: Send + Sync> FromRequestParts<S> for MinPosition {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.headers.get(&MIN_POSITION) {
            None => Ok(Self(0)),
            Some(value) => value.to_str().ok().and_then(|v| v.trim().parse().ok()).map(Self).ok_or_else(|| {
                ApiError::field("X-Emporium-Min-Position", "validation.invalid", "must be a non-negative integer")
            }),
        }
    }
}

impl MinPosition {
    /// Waits until the read models have applied this position: 503 with
    /// `Retry-After` after [`MAX_WAIT`].
    pub async fn wait_for(&self, applied: &AppliedPosition) -> Result<(), ApiError> {
        let target = self.0;
        if target == 0 || applied.known(target) {
            return Ok(());
        }
        let deadline = tokio::time::Instant::now() + MAX_WAIT;
        loop {
            match applied.current().await {
                Ok(position) if position >= target => return Ok(()),
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "reading the read models' checkpoints failed"),
            }
            if tokio::time::Instant::now() + POLL > deadline {
                return Err(ApiError::unavailable(
                    "read_model.behind",
                    format!("the read model has not reached position {target} yet; retry shortly"),
                    1,
                ));
            }
            tokio::time::sleep(POLL).await;
        }
    }
}
