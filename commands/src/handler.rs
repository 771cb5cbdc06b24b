//! Load, decide, append; retry on conflict; dedupe by command id.

use std::sync::Arc;
use std::time::Duration;

use emporium_domain::Decider;
use emporium_infra::codec::{decode, encode};
use emporium_infra::event_store::{AppendRequest, EventMetadata, EventStore, ExpectedVersion, StoreError};
use uuid::Uuid;

use crate::error::CommandError;

/// Events read per page while loading a stream.
const LOAD_PAGE: usize = 1000;

/// A command addressed to one aggregate instance.
#[derive(Debug, Clone)]
pub struct Command<C> {
    /// Unique per intent: a retry of the same intent reuses it.
    pub command_id: Uuid,
    /// The aggregate's key: the `<id>` of `<category>-<id>`.
    pub aggregate_id: String,
    /// What to do.
    pub payload: C,
    /// Correlation, actor and trace, copied onto every event (causation = command id).
    pub metadata: EventMetadata,
}

/// What handling a command did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandOutcome {
    /// The stream written (or that would have been).
    pub stream_id: String,
    /// The stream's version afterwards.
    pub stream_version: u64,
    /// Global position of the last event appended, or of the stream's last event when
    /// the command changed nothing; readers wait for this position (read-your-writes).
    pub position: u64,
    /// How many events this call appended (0 for a no-op or a repeated command).
    pub appended: usize,
    /// True when this command id had been handled before.
    pub duplicate: bool,
}

/// Runs commands against the event store.
#[derive(Clone)]
pub struct CommandHandler {
    store: Arc<dyn EventStore>,
    max_attempts: u32,
}

impl CommandHandler {
    /// A handler that tries each command at most `max_attempts` times on conflict.
    pub fn new(store: Arc<dyn EventStore>, max_attempts: u32) -> Self {
        Self { store, max_attempts: max_attempts.max(1) }
    }

    /// The store commands are appended to.
    pub fn store(&self) -> &Arc<dyn EventStore> {
        &self.store
    }

    /// Loads an aggregate's state, its version and its last event's global position.
    pub async fn load<D: Decider>(&self, aggregate_id: &str) -> Result<(D::State, u64, u64), CommandError<D::Error>> {
        let stream_id = stream_id::<D>(aggregate_id);
        let mut state = D::State::default();
        let mut version = 0;
        let mut position = 0;
        loop {
            let page = self.store.read_stream(&stream_id, version + 1, LOAD_PAGE).await?;
            let full = page.len() == LOAD_PAGE;
            for recorded in &page {
                let event: D::Event =
                    decode(recorded).map_err(|source| CommandError::Codec { stream_id: stream_id.clone(), source })?;
                state = D::evolve(state, &event);
                version = recorded.stream_version;
                position = recorded.global_position;
            }
            if !full {
                return Ok((state, version, position));
            }
        }
    }

    /// Handles one command: decide on the current state, append with its version,
    /// and on a version conflict reload and decide again, up to `max_attempts`.
    #[tracing::instrument(skip_all, fields(category = D::CATEGORY, aggregate_id = %command.aggregate_id, command_id = %command.command_id))]
    pub async fn handle<D: Decider>(
        &self,
        command: &Command<D::Command>,
    ) -> Result<CommandOutcome, CommandError<D::Error>> {
        let stream_id = stream_id::<D>(&command.aggregate_id);
        if let Some(first) = self.store.command_outcome(command.command_id).await? {
            return Ok(repeated(stream_id, first));
        }
        let mut metadata = command.metadata.clone();
        metadata.causation_id = Some(command.command_id);
        metadata.correlation_id = metadata.correlation_id.or(Some(command.command_id));
        for attempt in 1..=self.max_attempts {
            let (state, version, position) = self.load::<D>(&command.aggregate_id).await?;
            let events = D::decide(&state, &command.payload).map_err(CommandError::Domain)?;
            if events.is_empty() {
                return Ok(CommandOutcome {
                    stream_id,
                    stream_version: version,
                    position,
                    appended: 0,
                    duplicate: false,
                });
            }
            let encoded = events
                .iter()
                .map(|event| encode(event, metadata.clone()))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|source| CommandError::Codec { stream_id: stream_id.clone(), source })?;
            let expected = if version == 0 { ExpectedVersion::NoStream } else { ExpectedVersion::Exact(version) };
            let request = AppendRequest {
                stream_id: stream_id.clone(),
                expected,
                events: encoded,
                command_id: Some(command.command_id),
            };
            match self.store.append(request).await {
                Ok(outcome) if outcome.duplicate => return Ok(repeated(stream_id, outcome)),
                Ok(outcome) => {
                    return Ok(CommandOutcome {
                        stream_id,
                        stream_version: outcome.stream_version,
                        position: outcome.last_position,
                        appended: events.len(),
                        duplicate: false,
                    });
                }
                Err(StoreError::Conflict { .. }) if attempt < self.max_attempts => {
                    tracing::debug!(attempt, %stream_id, "version conflict; reloading");
                    tokio::time::sleep(backoff(attempt)).await;
                }
                Err(StoreError::Conflict { .. }) => break,
                Err(other) => return Err(other.into()),
            }
        }
        Err(CommandError::Contention { stream_id, attempts: self.max_attempts })
    }
}

/// `<category>-<id>` for an aggregate.
pub fn stream_id<D: Decider>(aggregate_id: &str) -> String {
    format!("{}-{aggregate_id}", D::CATEGORY)
}

fn repeated(stream_id: String, first: emporium_infra::event_store::AppendOutcome) -> CommandOutcome {
    CommandOutcome {
        stream_id,
        stream_version: first.stream_version,
        position: first.last_position,
        appended: 0,
        duplicate: true,
    }
}

/// Jittered exponential back-off so contending writers spread out: 1, 2, 4 … ms
/// (capped at 64 ms) plus up to the same again at random.
fn backoff(attempt: u32) -> Duration {
    let base = 1u64 << attempt.min(6);
    // The low bits of a fresh UUIDv7 are random: jitter without a rand dependency.
    let jitter = (Uuid::now_v7().as_u128() as u64) % (base + 1);
    Duration::from_millis(base + jitter)
}
