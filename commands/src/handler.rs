//! Load, decide, append; retry on conflict; dedupe by command id.

use std::sync::Arc;
use std::time::Duration;

use emporium_domain::Decider;
use emporium_infra::codec::{decode, encode};
use emporium_infra::event_store::{AppendRequest, EventMetadata, EventStore, ExpectedVersion, StoreError};
use uuid::Uuid;

use crate::error::CommandError;
use crate::state_cache::{self, Folded, StateCache};

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
    states: Arc<StateCache>,
}

impl CommandHandler {
    /// A handler that tries each command at most `max_attempts` times on conflict,
    /// caching the states of up to [`state_cache::DEFAULT_CAPACITY`] streams.
    pub fn new(store: Arc<dyn EventStore>, max_attempts: u32) -> Self {
        Self::with_state_cache(store, max_attempts, state_cache::DEFAULT_CAPACITY)
    }

    /// Like [`CommandHandler::new`] with room for `streams` cached states (0: no cache,
    /// every command folds its stream from the log).
    pub fn with_state_cache(store: Arc<dyn EventStore>, max_attempts: u32, streams: usize) -> Self {
        Self { store, max_attempts: max_attempts.max(1), states: Arc::new(StateCache::new(streams)) }
    }

    /// The store commands are appended to.
    pub fn store(&self) -> &Arc<dyn EventStore> {
        &self.store
    }

    /// How many times a command is tried when other writers keep getting there first.
    pub(crate) fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Records what a use case appended to a stream itself (an atomic append over
    /// several streams), so the next command there decides on the new state without
    /// first meeting a conflict. Only when the cache holds the state the events were
    /// decided on; otherwise the next command catches up from the log as usual.
    pub(crate) fn remember_appended<D: Decider>(
        &self,
        aggregate_id: &str,
        events: &[D::Event],
        decided_at_version: u64,
        outcome: emporium_infra::event_store::AppendOutcome,
    ) {
        let stream_id = stream_id::<D>(aggregate_id);
        let known = self.states.get::<D>(&stream_id).unwrap_or_default();
        if known.version != decided_at_version {
            return;
        }
        let state = events.iter().fold(known.state, |state, event| D::evolve(state, event));
        self.states
            .put::<D>(&stream_id, Folded { state, version: outcome.stream_version, position: outcome.last_position });
    }

    /// Loads an aggregate's state, its version and its last event's global position,
    /// as the log has it now (a cached state is brought up to the log's tail).
    pub async fn load<D: Decider>(&self, aggregate_id: &str) -> Result<(D::State, u64, u64), CommandError<D::Error>> {
        let stream_id = stream_id::<D>(aggregate_id);
        let known = self.states.get::<D>(&stream_id).unwrap_or_default();
        let folded = self.catch_up::<D>(&stream_id, known).await?;
        Ok((folded.state, folded.version, folded.position))
    }

    /// An aggregate's state as recent as this process knows it: the cached state when
    /// the stream is cached (it may trail writes made by other processes), else loaded
    /// from the log. For answers that may trail other writers, such as the levels after
    /// one's own change or that a product exists; never for a decision (commands decide
    /// through [`CommandHandler::handle`], which validates against the log).
    pub async fn recent<D: Decider>(&self, aggregate_id: &str) -> Result<(D::State, u64, u64), CommandError<D::Error>> {
        match self.states.get::<D>(&stream_id::<D>(aggregate_id)) {
            Some(cached) if cached.version > 0 => Ok((cached.state, cached.version, cached.position)),
            _ => self.load::<D>(aggregate_id).await,
        }
    }

    /// Folds the stream's events after `known.version` onto `known` and caches the result.
    async fn catch_up<D: Decider>(
        &self,
        stream_id: &str,
        mut known: Folded<D::State>,
    ) -> Result<Folded<D::State>, CommandError<D::Error>> {
        let before = known.version;
        loop {
            let page = self.store.read_stream(stream_id, known.version + 1, LOAD_PAGE).await?;
            let full = page.len() == LOAD_PAGE;
            for recorded in &page {
                let event: D::Event = decode(recorded)
                    .map_err(|source| CommandError::Codec { stream_id: stream_id.to_owned(), source })?;
                known.state = D::evolve(known.state, &event);
                known.version = recorded.stream_version;
                known.position = recorded.global_position;
            }
            if !full {
                break;
            }
        }
        // Only what the log added is worth caching: a stream that does not exist stays
        // out, so lookups of unknown ids cannot push hot streams out of the cache.
        if known.version != before {
            self.states.put::<D>(stream_id, known.clone());
        }
        Ok(known)
    }

    /// Handles one command: decide on the current state, append with its version,
    /// and on a version conflict catch up with the log and decide again, up to
    /// `max_attempts`.
    ///
    /// The state comes from the cache when it has the stream; the append's version
    /// check is what validates it. A refusal or a no-op decided on a cached state is
    /// confirmed against the log's tail first, and a refusal of a command id that was
    /// handled before answers with that first outcome (a retried request).
    #[tracing::instrument(skip_all, fields(category = D::CATEGORY, aggregate_id = %command.aggregate_id, command_id = %command.command_id))]
    pub async fn handle<D: Decider>(
        &self,
        command: &Command<D::Command>,
    ) -> Result<CommandOutcome, CommandError<D::Error>> {
        let stream_id = stream_id::<D>(&command.aggregate_id);
        let mut metadata = command.metadata.clone();
        metadata.causation_id = Some(command.command_id);
        metadata.correlation_id = metadata.correlation_id.or(Some(command.command_id));
        let (mut known, mut at_tail) = match self.states.get::<D>(&stream_id) {
            Some(cached) => (cached, false),
            None => (self.catch_up::<D>(&stream_id, Folded::default()).await?, true),
        };
        let mut attempt = 1;
        loop {
            let events = match D::decide(&known.state, &command.payload) {
                Ok(events) if !events.is_empty() => events,
                // Not yet confirmed by the log: the cached state may be behind.
                Err(_) | Ok(_) if !at_tail => {
                    known = self.catch_up::<D>(&stream_id, known).await?;
                    at_tail = true;
                    continue;
                }
                decided => {
                    if let Some(first) = self.store.command_outcome(command.command_id).await? {
                        return Ok(repeated(stream_id, first));
                    }
                    decided.map_err(CommandError::Domain)?;
                    return Ok(CommandOutcome {
                        stream_id,
                        stream_version: known.version,
                        position: known.position,
                        appended: 0,
                        duplicate: false,
                    });
                }
            };
            let encoded = events
                .iter()
                .map(|event| encode(event, metadata.clone()))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|source| CommandError::Codec { stream_id: stream_id.clone(), source })?;
            let expected =
                if known.version == 0 { ExpectedVersion::NoStream } else { ExpectedVersion::Exact(known.version) };
            let request = AppendRequest {
                stream_id: stream_id.clone(),
                expected,
                events: encoded,
                command_id: Some(command.command_id),
            };
            match self.store.append(request).await {
                Ok(outcome) if outcome.duplicate => return Ok(repeated(stream_id, outcome)),
                Ok(outcome) => {
                    let state = events.iter().fold(known.state, |state, event| D::evolve(state, event));
                    let folded = Folded { state, version: outcome.stream_version, position: outcome.last_position };
                    self.states.put::<D>(&stream_id, folded);
                    return Ok(CommandOutcome {
                        stream_id,
                        stream_version: outcome.stream_version,
                        position: outcome.last_position,
                        appended: events.len(),
                        duplicate: false,
                    });
                }
                Err(StoreError::Conflict { .. }) if attempt < self.max_attempts => {
                    tracing::debug!(attempt, %stream_id, "version conflict; catching up");
                    // The first conflict usually means only that the cached state was
                    // behind; back off when writers really are racing.
                    if at_tail {
                        tokio::time::sleep(backoff(attempt)).await;
                    }
                    known = self.catch_up::<D>(&stream_id, known).await?;
                    at_tail = true;
                    attempt += 1;
                }
                Err(StoreError::Conflict { .. }) => {
                    return Err(CommandError::Contention { stream_id, attempts: self.max_attempts });
                }
                Err(other) => return Err(other.into()),
            }
        }
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
pub(crate) fn backoff(attempt: u32) -> Duration {
    let base = 1u64 << attempt.min(6);
    // The low bits of a fresh UUIDv7 are random: jitter without a rand dependency.
    let jitter = (Uuid::now_v7().as_u128() as u64) % (base + 1);
    Duration::from_millis(base + jitter)
}
