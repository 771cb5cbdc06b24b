//! Tailing the global log: catch up in pages, then follow new commits.
//!
//! Commits of this process wake the tail at once through the store's head watch;
//! commits of other processes (another `emporium` on the same PostgreSQL) are found
//! by polling every [`POLL_INTERVAL`].

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use futures::stream::{self, BoxStream, StreamExt};

use super::{EventStore, RecordedEvent, StoreError};

/// Page size while catching up.
const PAGE: usize = 512;
/// How often an idle tail looks for commits made by other processes.
const POLL_INTERVAL: Duration = Duration::from_millis(200);
/// Back-off after a read error before trying again.
const ERROR_BACKOFF: Duration = Duration::from_millis(500);

struct Tail {
    store: Arc<dyn EventStore>,
    after: u64,
    buffered: VecDeque<RecordedEvent>,
    head: tokio::sync::watch::Receiver<u64>,
    failed: bool,
}

/// Every event with `global_position > after`, in order, each exactly once; then waits for more.
///
/// A read error is yielded once and the tail then retries from where it stopped.
pub fn subscribe_all(store: Arc<dyn EventStore>, after: u64) -> BoxStream<'static, Result<RecordedEvent, StoreError>> {
    let head = store.head_watch();
    let tail = Tail { store, after, buffered: VecDeque::new(), head, failed: false };
    stream::unfold(tail, |mut tail| async move {
        loop {
            if let Some(event) = tail.buffered.pop_front() {
                tail.after = event.global_position;
                return Some((Ok(event), tail));
            }
            if tail.failed {
                tokio::time::sleep(ERROR_BACKOFF).await;
                tail.failed = false;
            }
            // Mark the current head as seen before reading, so a commit that lands
            // after this read still wakes us.
            tail.head.borrow_and_update();
            match tail.store.read_all(tail.after, PAGE).await {
                Ok(page) if !page.is_empty() => tail.buffered.extend(page),
                Ok(_) => {
                    tokio::select! {
                        changed = tail.head.changed() => {
                            if changed.is_err() {
                                // The store is gone; keep polling is pointless.
                                tokio::time::sleep(POLL_INTERVAL).await;
                            }
                        }
                        () = tokio::time::sleep(POLL_INTERVAL) => {}
                    }
                }
                Err(error) => {
                    tail.failed = true;
                    return Some((Err(error), tail));
                }
            }
        }
    })
    .boxed()
}
