//! Group commit: one writer task per store batches concurrent appends into one
//! transaction. Each request keeps its own idempotency and expected-version checks,
//! and a refused request fails alone; the others in its batch still commit
//! (the rules are in [`super::batch`]; adapters supply the transaction through
//! [`BatchWriter`]).

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, oneshot, watch};

use super::{AppendOutcome, AppendRequest, StoreError};

/// Most requests one transaction takes.
const MAX_BATCH: usize = 128;

/// An adapter's transaction boundary: begin and lock, run the requests, commit.
pub(crate) trait BatchWriter: Send + Sync + 'static {
    /// Runs `requests` in one transaction. The outer error aborts the whole batch
    /// (nothing committed); inner errors are per request.
    fn write_batch(
        &self,
        requests: &[&AppendRequest],
    ) -> impl Future<Output = Result<Vec<Result<AppendOutcome, StoreError>>, StoreError>> + Send;
}

/// Now, truncated to microseconds so it survives every database's timestamp type.
pub(crate) fn now_micros() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}

/// A request waiting for the writer task.
struct Pending {
    request: AppendRequest,
    reply: oneshot::Sender<Result<AppendOutcome, StoreError>>,
}

/// The handle appenders use to reach the writer task.
#[derive(Clone)]
pub(crate) struct GroupCommit {
    sender: mpsc::Sender<Pending>,
}

impl GroupCommit {
    /// Starts the writer task for `writer`; `head` is told every committed position.
    pub(crate) fn start<W: BatchWriter>(writer: Arc<W>, head: watch::Sender<u64>) -> Self {
        let (sender, receiver) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(writer, receiver, head));
        Self { sender }
    }

    /// Queues an append and waits for its outcome.
    pub(crate) async fn append(&self, request: AppendRequest) -> Result<AppendOutcome, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.sender.send(Pending { request, reply }).await.map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }
}

/// The writer loop: take what is waiting, write it as one batch, answer everyone.
async fn run<W: BatchWriter>(writer: Arc<W>, mut receiver: mpsc::Receiver<Pending>, head: watch::Sender<u64>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let requests: Vec<&AppendRequest> = batch.iter().map(|p| &p.request).collect();
        let results = match writer.write_batch(&requests).await {
            Ok(results) => results,
            Err(error) if requests.len() == 1 => vec![Err(error)],
            Err(error) => {
                // One request broke the shared transaction: give each its own.
                tracing::warn!(%error, size = requests.len(), "batch append failed; retrying requests one by one");
                let mut results = Vec::with_capacity(requests.len());
                for request in &requests {
                    let single = writer.write_batch(&[*request]).await;
                    results.push(single.and_then(|mut r| r.pop().unwrap_or(Err(StoreError::WriterGone))));
                }
                results
            }
        };
        drop(requests);
        let mut highest = 0;
        for (pending, result) in batch.drain(..).zip(results) {
            if let Ok(outcome) = &result {
                highest = highest.max(outcome.last_position);
            }
            let _ = pending.reply.send(result);
        }
        head.send_if_modified(|h| {
            let advanced = highest > *h;
            *h = (*h).max(highest);
            advanced
        });
    }
}
