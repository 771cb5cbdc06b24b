//! Group commit: one writer task per store batches concurrent appends into one
//! transaction. Each request keeps its own idempotency and expected-version checks,
//! and a refused request fails alone; the others in its batch still commit.
//!
//! The per-request rules live here once ([`append_in_tx`]); adapters only supply
//! the SQL through [`TxOps`] and the transaction boundaries through [`BatchWriter`].

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, oneshot, watch};
use uuid::Uuid;

use super::hash_chain::{HashInput, canonical_json, event_hash};
use super::{AppendOutcome, AppendRequest, StoreError};

/// Most requests one transaction takes.
const MAX_BATCH: usize = 128;

/// One event row, ready to insert.
#[derive(Debug, Clone)]
pub(crate) struct EventRow {
    pub event_id: Uuid,
    pub stream_id: String,
    pub stream_version: u64,
    pub global_position: u64,
    pub event_type: String,
    pub schema_version: u32,
    /// Canonical JSON (sorted keys), exactly what the hash covers.
    pub data: String,
    pub metadata: String,
    pub recorded_at: DateTime<Utc>,
    pub prev_hash: String,
    pub hash: String,
}

/// The log's last position and hash, advanced as a batch assigns positions.
#[derive(Debug, Clone)]
pub(crate) struct Head {
    pub position: u64,
    pub hash: String,
}

/// The SQL an adapter runs inside its write transaction.
pub(crate) trait TxOps: Send {
    /// The outcome recorded for a command id.
    fn command_outcome(
        &mut self,
        command_id: Uuid,
    ) -> impl Future<Output = Result<Option<AppendOutcome>, StoreError>> + Send;
    /// (global_position, stream_version) of those of `ids` that are stored.
    fn existing_events(&mut self, ids: &[Uuid]) -> impl Future<Output = Result<Vec<(u64, u64)>, StoreError>> + Send;
    /// The stream's last version, 0 when it does not exist.
    fn stream_version(&mut self, stream_id: &str) -> impl Future<Output = Result<u64, StoreError>> + Send;
    /// Inserts rows (already numbered and hashed).
    fn insert_events(&mut self, rows: &[EventRow]) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Records a command's outcome.
    fn insert_command(
        &mut self,
        command_id: Uuid,
        stream_id: &str,
        outcome: &AppendOutcome,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

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

/// Checks the request structure before it reaches a transaction.
fn validate(request: &AppendRequest) -> Result<(), StoreError> {
    if request.events.is_empty() {
        return Err(StoreError::Invalid("an append needs at least one event".into()));
    }
    let id = &request.stream_id;
    let well_formed = id.len() <= 200 && id.split_once('-').is_some_and(|(c, rest)| !c.is_empty() && !rest.is_empty());
    if !well_formed {
        return Err(StoreError::Invalid(format!("stream id {id:?} is not <category>-<id>")));
    }
    Ok(())
}

/// Applies one request inside the batch's transaction.
///
/// Order matters: a retried command or retried events are recognised before the
/// version check, so a retry with a now-stale expected version still answers with
/// the original outcome instead of a conflict.
pub(crate) async fn append_in_tx<T: TxOps>(
    tx: &mut T,
    head: &mut Head,
    request: &AppendRequest,
    now: DateTime<Utc>,
) -> Result<Result<AppendOutcome, StoreError>, StoreError> {
    if let Err(invalid) = validate(request) {
        return Ok(Err(invalid));
    }
    if let Some(command_id) = request.command_id
        && let Some(outcome) = tx.command_outcome(command_id).await?
    {
        return Ok(Ok(AppendOutcome { duplicate: true, ..outcome }));
    }
    let ids: Vec<Uuid> = request.events.iter().map(|e| e.event_id).collect();
    let existing = tx.existing_events(&ids).await?;
    if !existing.is_empty() {
        let mut distinct = ids.clone();
        distinct.sort_unstable();
        distinct.dedup();
        if existing.len() == distinct.len() {
            let first_position = existing.iter().map(|(p, _)| *p).min().unwrap_or(0);
            let last_position = existing.iter().map(|(p, _)| *p).max().unwrap_or(0);
            let stream_version = existing.iter().map(|(_, v)| *v).max().unwrap_or(0);
            return Ok(Ok(AppendOutcome { stream_version, first_position, last_position, duplicate: true }));
        }
        return Ok(Err(StoreError::PartialDuplicate { stream_id: request.stream_id.clone(), event_id: ids[0] }));
    }
    let current = tx.stream_version(&request.stream_id).await?;
    if !request.expected.allows(current) {
        return Ok(Err(StoreError::Conflict {
            stream_id: request.stream_id.clone(),
            expected: request.expected,
            actual: current,
        }));
    }
    let mut rows = Vec::with_capacity(request.events.len());
    for (offset, event) in request.events.iter().enumerate() {
        let stream_version = current + offset as u64 + 1;
        let global_position = head.position + 1;
        let data = canonical_json(&event.data);
        let metadata = canonical_json(&serde_json::to_value(&event.metadata).unwrap_or_default());
        let hash = event_hash(&HashInput {
            prev_hash: &head.hash,
            event_id: &event.event_id,
            stream_id: &request.stream_id,
            stream_version,
            global_position,
            event_type: &event.event_type,
            schema_version: event.schema_version,
            data: &data,
            metadata: &metadata,
            recorded_at_micros: now.timestamp_micros(),
        });
        rows.push(EventRow {
            event_id: event.event_id,
            stream_id: request.stream_id.clone(),
            stream_version,
            global_position,
            event_type: event.event_type.clone(),
            schema_version: event.schema_version,
            data,
            metadata,
            recorded_at: now,
            prev_hash: std::mem::replace(&mut head.hash, hash.clone()),
            hash,
        });
        head.position = global_position;
    }
    tx.insert_events(&rows).await?;
    let outcome = AppendOutcome {
        stream_version: current + rows.len() as u64,
        first_position: rows.first().map_or(0, |r| r.global_position),
        last_position: head.position,
        duplicate: false,
    };
    if let Some(command_id) = request.command_id {
        tx.insert_command(command_id, &request.stream_id, &outcome, now).await?;
    }
    Ok(Ok(outcome))
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
