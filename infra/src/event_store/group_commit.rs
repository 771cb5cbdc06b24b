//! Group commit: one writer task per store batches concurrent appends into one
//! transaction. Each request (or atomic unit of requests) keeps its own idempotency
//! and expected-version checks, and a refused one fails alone; the others in its batch
//! still commit (the rules are in [`super::batch`]; adapters supply the transaction
//! through [`BatchWriter`]).

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, oneshot, watch};

use super::batch::{Unit, UnitResult};
use super::{AppendOutcome, AppendRequest, StoreError};

/// Most requests one transaction takes.
const MAX_BATCH: usize = 128;

/// An adapter's transaction boundary: begin and lock, run the requests, commit.
pub(crate) trait BatchWriter: Send + Sync + 'static {
    /// Runs `units` in one transaction. The outer error aborts the whole batch
    /// (nothing committed); inner errors are per unit.
    fn write_batch(&self, units: &[Unit<'_>]) -> impl Future<Output = Result<Vec<UnitResult>, StoreError>> + Send;
}

/// Now, truncated to microseconds so it survives every database's timestamp type.
pub(crate) fn now_micros() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}

/// What an appender hands the writer task.
enum Work {
    One(AppendRequest),
    All(Vec<AppendRequest>),
}

impl Work {
    fn unit(&self) -> Unit<'_> {
        match self {
            Work::One(request) => Unit::One(request),
            Work::All(requests) => Unit::All(requests),
        }
    }
}

/// A unit waiting for the writer task.
struct Pending {
    work: Work,
    reply: oneshot::Sender<UnitResult>,
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
        let mut outcomes = self.submit(Work::One(request)).await?;
        outcomes.pop().ok_or(StoreError::WriterGone)
    }

    /// Queues an atomic append over several streams and waits for its outcomes.
    pub(crate) async fn append_all(&self, requests: Vec<AppendRequest>) -> Result<Vec<AppendOutcome>, StoreError> {
        self.submit(Work::All(requests)).await
    }

    async fn submit(&self, work: Work) -> UnitResult {
        let (reply, answer) = oneshot::channel();
        self.sender.send(Pending { work, reply }).await.map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }
}

/// The writer loop: take what is waiting, write it as one batch, answer everyone.
async fn run<W: BatchWriter>(writer: Arc<W>, mut receiver: mpsc::Receiver<Pending>, head: watch::Sender<u64>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let units: Vec<Unit<'_>> = batch.iter().map(|p| p.work.unit()).collect();
        let results = match writer.write_batch(&units).await {
            Ok(results) => results,
            Err(error) if units.len() == 1 => vec![Err(error)],
            Err(error) => {
                // One unit broke the shared transaction: give each its own.
                tracing::warn!(%error, size = units.len(), "batch append failed; retrying units one by one");
                let mut results = Vec::with_capacity(units.len());
                for unit in &units {
                    let single = writer.write_batch(std::slice::from_ref(unit)).await;
                    results.push(single.and_then(|mut r| r.pop().unwrap_or(Err(StoreError::WriterGone))));
                }
                results
            }
        };
        drop(units);
        let mut highest = 0;
        for (pending, result) in batch.drain(..).zip(results) {
            if let Ok(outcomes) = &result {
                highest = outcomes.iter().map(|o| o.last_position).fold(highest, u64::max);
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
