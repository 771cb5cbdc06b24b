//! Read-your-writes: writes answer with the global position of their last event
//! (`X-Emporium-Position`); a read sent with `X-Emporium-Min-Position: N` waits,
//! at most [`MAX_WAIT`], until its read model has applied N.
//!
//! How far the read models got is read from their stored checkpoints
//! ([`AppliedPosition`]), so it holds whichever process applied them: a read API
//! replica with no projections of its own sees what a `projector` process committed.
//! Waiting reads share one watch of that position: when the projectors run in this
//! process their commits wake the readers at once ([`AppliedPosition::follow`]), and
//! otherwise one waiting read at a time looks at the checkpoints, at most every
//! [`POLL`], however many are waiting (each polling on its own swamped the read store
//! under load and starved the very projectors they waited for).
//!
//! A process that follows its own projectors trusts only them, never the stored
//! checkpoints: another process sharing the read store may have committed a batch this
//! one has not applied yet, and this process's document cache learns of that batch only
//! when its own projector reaches it.

use crate::codes::ErrorCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue};
use axum::response::Response;
use emporium_infra::event_store::EventStore;
use emporium_infra::read_store::{ReadStore, ReadStoreError};
use tokio::sync::{Semaphore, watch};
use tokio::time::Instant;

use crate::error::ApiError;

/// `X-Emporium-Position`.
pub static POSITION: HeaderName = HeaderName::from_static("x-emporium-position");
/// `X-Emporium-Min-Position`.
pub static MIN_POSITION: HeaderName = HeaderName::from_static("x-emporium-min-position");
/// The longest a read waits for its read model.
pub const MAX_WAIT: Duration = Duration::from_secs(5);
/// Most reads waiting at once per process; more answer 503 at once rather than tie up
/// connections.
pub const MAX_WAITERS: usize = 1024;
/// How often the stored checkpoints are read while reads are waiting.
const POLL: Duration = Duration::from_millis(10);

/// The position every read model has applied, from the checkpoints in the read store.
#[derive(Clone)]
pub struct AppliedPosition {
    store: Arc<dyn ReadStore>,
    projections: Arc<[String]>,
    /// The highest minimum seen so far: checkpoints only move forward (a rebuild
    /// resets them, and reads during a rebuild are not promised anything).
    seen: Arc<watch::Sender<u64>>,
    /// When the checkpoints were last read for a waiting read (one poll per [`POLL`]).
    last_poll: Arc<Mutex<Option<Instant>>>,
    /// Whether [`Self::follow`] feeds `seen` from this process's own projectors.
    followed: Arc<AtomicBool>,
    /// The log, to refuse positions it has not reached ([`Self::with_log`]).
    log: Option<Arc<dyn EventStore>>,
    /// Places for waiting reads ([`MAX_WAITERS`]).
    waiters: Arc<Semaphore>,
}

impl std::fmt::Debug for AppliedPosition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppliedPosition").field("projections", &self.projections).finish_non_exhaustive()
    }
}

impl AppliedPosition {
    /// Watches the checkpoints of `projections` in `store`.
    pub fn new(store: Arc<dyn ReadStore>, projections: impl IntoIterator<Item = String>) -> Self {
        Self {
            store,
            projections: projections.into_iter().collect(),
            seen: Arc::new(watch::Sender::new(0)),
            last_poll: Arc::new(Mutex::new(None)),
            followed: Arc::new(AtomicBool::new(false)),
            log: None,
            waiters: Arc::new(Semaphore::new(MAX_WAITERS)),
        }
    }

    /// Refuses at once (400) a position beyond the head of `log`, instead of waiting
    /// [`MAX_WAIT`] for a position that no write has produced.
    pub fn with_log(mut self, log: Arc<dyn EventStore>) -> Self {
        self.log = Some(log);
        self
    }

    /// The lowest stored checkpoint of the projections, read now.
    pub async fn current(&self) -> Result<u64, ReadStoreError> {
        let mut lowest = u64::MAX;
        for name in self.projections.iter() {
            lowest = lowest.min(self.store.checkpoint(name).await?);
        }
        let lowest = if self.projections.is_empty() { 0 } else { lowest };
        if !self.followed.load(Ordering::Acquire) {
            self.publish(lowest);
        }
        Ok(lowest)
    }

    /// Records that every read model has applied `position` (waking the reads
    /// waiting for it); a lower position than one already known changes nothing.
    pub fn publish(&self, position: u64) {
        self.seen.send_if_modified(|seen| {
            let higher = position > *seen;
            if higher {
                *seen = position;
            }
            higher
        });
    }

    /// Follows the commits of projectors running in this process, one watch of its
    /// committed position per projector (all of [`Self::new`]'s projections), so
    /// waiting reads wake on the commit itself; from then on the stored checkpoints
    /// no longer count as applied here. Ends when a projector's watch closes.
    pub fn follow(&self, positions: Vec<watch::Receiver<u64>>) -> tokio::task::JoinHandle<()> {
        self.followed.store(true, Ordering::Release);
        let applied = self.clone();
        tokio::spawn(async move {
            let mut positions = positions;
            if positions.is_empty() {
                return;
            }
            loop {
                let lowest = positions.iter_mut().map(|p| *p.borrow_and_update()).min().unwrap_or(0);
                applied.publish(lowest);
                let changes = positions.iter_mut().map(|p| Box::pin(p.changed()));
                if futures::future::select_all(changes).await.0.is_err() {
                    return;
                }
            }
        })
    }

    /// Whether `position` is known to be applied without asking the store.
    fn known(&self, position: u64) -> bool {
        *self.seen.borrow() >= position
    }

    /// Reads the checkpoints if no waiting read did in the last [`POLL`].
    async fn poll_if_due(&self) {
        if self.followed.load(Ordering::Acquire) {
            return;
        }
        {
            let mut last = self.last_poll.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if last.is_some_and(|at| at.elapsed() < POLL) {
                return;
            }
            *last = Some(Instant::now());
        }
        if let Err(error) = self.current().await {
            tracing::warn!(%error, "reading the read models' checkpoints failed");
        }
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
                ApiError::field(
                    "X-Emporium-Min-Position",
                    ErrorCode::ValidationInvalid,
                    "must be a non-negative integer",
                )
            }),
        }
    }
}

impl MinPosition {
    /// Waits until the read models have applied this position: 503 with
    /// `Retry-After` after [`MAX_WAIT`], or at once when [`MAX_WAITERS`] reads already
    /// wait; 400 at once for a position beyond the log's head.
    pub async fn wait_for(&self, applied: &AppliedPosition) -> Result<(), ApiError> {
        let target = self.0;
        if target == 0 || applied.known(target) {
            return Ok(());
        }
        if let Some(log) = &applied.log {
            let head = log.head_position().await.map_err(|e| ApiError::internal(&e))?;
            if target > head {
                return Err(ApiError::field(
                    "X-Emporium-Min-Position",
                    ErrorCode::ValidationBeyondHead,
                    format!("the log ends at position {head}; no write has produced position {target}"),
                ));
            }
        }
        let Ok(_place) = applied.waiters.try_acquire() else {
            return Err(ApiError::retry_later(
                ErrorCode::ReadModelBusy,
                "too many reads are waiting for the read models; retry shortly",
                1,
            ));
        };
        let deadline = Instant::now() + MAX_WAIT;
        let mut seen = applied.seen.subscribe();
        applied.poll_if_due().await;
        loop {
            if *seen.borrow_and_update() >= target {
                return Ok(());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(ApiError::retry_later(
                    ErrorCode::ReadModelBehind,
                    format!("the read model has not reached position {target} yet; retry shortly"),
                    1,
                ));
            }
            // A commit in this process wakes us; otherwise look at the checkpoints
            // (or let the read that polled last tell us) every POLL.
            if tokio::time::timeout(POLL.min(left), seen.changed()).await.is_err() {
                applied.poll_if_due().await;
            }
        }
    }
}
