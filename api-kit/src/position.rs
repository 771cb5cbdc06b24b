//! Read-your-writes: writes answer with the global position of their last event
//! (`X-Emporium-Position`); a read sent with `X-Emporium-Min-Position: N` waits,
//! at most [`MAX_WAIT`], until its read model has applied N.

use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue};
use axum::response::Response;
use tokio::sync::watch;

use crate::error::ApiError;

/// `X-Emporium-Position`.
pub static POSITION: HeaderName = HeaderName::from_static("x-emporium-position");
/// `X-Emporium-Min-Position`.
pub static MIN_POSITION: HeaderName = HeaderName::from_static("x-emporium-min-position");
/// The longest a read waits for its read model.
pub const MAX_WAIT: Duration = Duration::from_secs(5);

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
    /// Waits until `applied` reaches this position: 503 with `Retry-After` after [`MAX_WAIT`].
    pub async fn wait_for(&self, applied: &watch::Receiver<u64>) -> Result<(), ApiError> {
        if self.0 == 0 || *applied.borrow() >= self.0 {
            return Ok(());
        }
        let mut applied = applied.clone();
        let target = self.0;
        match tokio::time::timeout(MAX_WAIT, applied.wait_for(|p| *p >= target)).await {
            Ok(Ok(_)) => Ok(()),
            _ => Err(ApiError::unavailable(
                "read_model.behind",
                format!("the read model has not reached position {target} yet; retry shortly"),
                1,
            )),
        }
    }
}
