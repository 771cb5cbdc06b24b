//! The append rules, applied to a whole batch of requests inside one write transaction.
//!
//! Every request keeps its own idempotency and expected-version checks and a refused
//! request fails alone; but the lookups those checks need (recorded command ids, stored
//! event ids, stream versions, the log's head) are made for the whole batch in one
//! round trip, and its rows are written with one insert. A batch of 64 commits with a
//! handful of statements instead of five per request: that is what lets the append
//! rate climb above the database's one-transaction-per-row rate.
//!
//! A batch also carries atomic units ([`Unit::All`]): several requests, usually to
//! several streams, that are all applied or none; a refused request refuses its whole
//! unit, and the batch's view of the store is put back as it was before the unit.
//!
//! The rules live here once; adapters only supply the SQL through [`TxOps`].

use std::collections::HashMap;
use std::future::Future;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::hash_chain::{GENESIS_HASH, HashInput, canonical_json, event_hash};
use super::{AppendOutcome, AppendRequest, StoreError};

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

/// One command-log row: the outcome a repeated command id answers with.
#[derive(Debug, Clone)]
pub(crate) struct CommandRow {
    pub command_id: Uuid,
    pub stream_id: String,
    pub outcome: AppendOutcome,
    pub recorded_at: DateTime<Utc>,
}

/// The log's last position and hash, advanced as a batch assigns positions.
#[derive(Debug, Clone)]
pub(crate) struct Head {
    pub position: u64,
    pub hash: String,
}

/// What a batch needs to look up before it can decide.
#[derive(Debug, Default)]
pub(crate) struct BatchKeys {
    pub command_ids: Vec<Uuid>,
    pub event_ids: Vec<Uuid>,
    pub stream_ids: Vec<String>,
}

/// The answers, read inside the transaction after its lock was taken.
#[derive(Debug)]
pub(crate) struct Lookup {
    /// The log's last event (or the genesis head).
    pub head: Head,
    /// Outcomes recorded for those command ids that were handled before.
    pub commands: HashMap<Uuid, AppendOutcome>,
    /// `(global_position, stream_version)` of those event ids that are stored.
    pub events: HashMap<Uuid, (u64, u64)>,
    /// The last version of each stream that exists (absent: no stream).
    pub versions: HashMap<String, u64>,
}

/// A command-log row `(stream_version, first_position, last_position)` as the
/// outcome a repeated command answers with.
pub(crate) fn recorded_outcome((stream_version, first, last): (i64, i64, i64)) -> AppendOutcome {
    AppendOutcome {
        stream_version: stream_version as u64,
        first_position: first as u64,
        last_position: last as u64,
        duplicate: true,
    }
}

/// One row of an adapter's lookup statement: a kind tag (`h` head, `c` command, `e`
/// event, `s` stream), an id, a text (hash or stream id) and three numbers.
pub(crate) type LookupRow = (String, Option<Uuid>, Option<String>, Option<i64>, i64, i64);

impl Lookup {
    /// Collects the tagged rows of a lookup statement. A stream row without a version
    /// is a stream that does not exist yet.
    pub(crate) fn from_rows(rows: Vec<LookupRow>) -> Result<Self, StoreError> {
        let mut lookup = Lookup {
            head: Head { position: 0, hash: GENESIS_HASH.to_owned() },
            commands: HashMap::new(),
            events: HashMap::new(),
            versions: HashMap::new(),
        };
        for (kind, id, text, a, b, c) in rows {
            match (kind.as_str(), id, text, a) {
                ("h", _, Some(hash), Some(position)) => lookup.head = Head { position: position as u64, hash },
                ("c", Some(id), _, Some(version)) => {
                    lookup.commands.insert(id, recorded_outcome((version, b, c)));
                }
                ("e", Some(id), _, Some(position)) => {
                    lookup.events.insert(id, (position as u64, b as u64));
                }
                ("s", _, Some(stream_id), Some(version)) => {
                    lookup.versions.insert(stream_id, version as u64);
                }
                ("s", _, _, None) => {}
                (kind, ..) => return Err(StoreError::Invalid(format!("unexpected lookup row of kind {kind:?}"))),
            }
        }
        Ok(lookup)
    }
}

/// The SQL of an adapter's write transaction, in two steps so that a batch can cost
/// two round trips.
pub(crate) trait TxOps: Send {
    /// Opens the transaction, takes the append lock, and reads the head and everything
    /// `keys` asks about.
    fn lookup(&mut self, keys: &BatchKeys) -> impl Future<Output = Result<Lookup, StoreError>> + Send;
    /// Inserts the batch's event rows (numbered and hashed) and command-log rows, if
    /// any, and commits. On an error the caller rolls back.
    fn commit(
        &mut self,
        events: &[EventRow],
        commands: &[CommandRow],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Opens the transaction, takes the append lock, checks that the log still ends at
    /// `head`, inserts the rows and commits, or fails (rolled back) if the check or
    /// any unique key fails. Only used with [`Known`], by adapters that do it in one
    /// round trip.
    fn commit_guessed(
        &mut self,
        head: u64,
        events: &[EventRow],
        commands: &[CommandRow],
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        let _ = (head, events, commands);
        async { Err(StoreError::Invalid("this store cannot commit a guessed batch".into())) }
    }
}

/// What one batch entry asks for: one request, or several to be applied all or none.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Unit<'a> {
    /// One stream's append.
    One(&'a AppendRequest),
    /// An atomic append over several streams.
    All(&'a [AppendRequest]),
}

impl<'a> Unit<'a> {
    fn requests(&self) -> &'a [AppendRequest] {
        match *self {
            Unit::One(request) => std::slice::from_ref(request),
            Unit::All(requests) => requests,
        }
    }
}

/// What one unit got: an outcome per request, in order, or why it was refused.
pub(crate) type UnitResult = Result<Vec<AppendOutcome>, StoreError>;

/// Checks an atomic unit's structure: requests, each well formed, each stream once.
fn validate_unit(unit: Unit<'_>) -> Result<(), StoreError> {
    let requests = unit.requests();
    if requests.is_empty() {
        return Err(StoreError::Invalid("an atomic append needs at least one stream".into()));
    }
    let mut streams: Vec<&str> = requests.iter().map(|r| r.stream_id.as_str()).collect();
    streams.sort_unstable();
    if let Some(pair) = streams.windows(2).find(|pair| pair[0] == pair[1]) {
        return Err(StoreError::Invalid(format!("stream {} appears twice in one atomic append", pair[0])));
    }
    requests.iter().try_for_each(validate)
}

/// Checks the request structure before it reaches a transaction.
pub(crate) fn validate(request: &AppendRequest) -> Result<(), StoreError> {
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

/// Applies `requests` in order inside the caller's transaction.
///
/// The outer error aborts the batch (nothing may be committed); inner errors are per
/// request. Order matters within a request: a retried command or retried events are
/// recognised before the version check, so a retry with a now-stale expected version
/// still answers with the original outcome instead of a conflict. Requests earlier in
/// the batch count as stored for the later ones.
///
/// With `known` (an adapter whose [`TxOps::commit_guessed`] checks the guess), a batch
/// whose streams the writer already knows is first decided on what it knows, and
/// committed in one round trip that fails unless the log still ends where the writer
/// left it; when it fails (another writer, a retried command or event id), the batch
/// is decided again on a lookup, as without `known`.
pub(crate) async fn append_batch<T: TxOps>(
    tx: &mut T,
    units: &[Unit<'_>],
    now: DateTime<Utc>,
    mut known: Option<&mut Known>,
) -> Result<Vec<UnitResult>, StoreError> {
    let valid: Vec<Result<(), StoreError>> = units.iter().map(|unit| validate_unit(*unit)).collect();
    let mut keys = BatchKeys::default();
    for (unit, _) in units.iter().zip(&valid).filter(|(_, v)| v.is_ok()) {
        for request in unit.requests() {
            keys.command_ids.extend(request.command_id);
            keys.event_ids.extend(request.events.iter().map(|e| e.event_id));
            keys.stream_ids.push(request.stream_id.clone());
        }
    }
    keys.stream_ids.sort_unstable();
    keys.stream_ids.dedup();
    if let Some(known) = known.as_deref_mut()
        && let Some(results) = commit_guess(tx, units, &keys, known, now).await
    {
        return Ok(results);
    }
    let committed = match tx.lookup(&keys).await {
        Ok(lookup) => {
            let (results, view, command_rows) = decide(units, valid, lookup, now);
            tx.commit(&view.rows, &command_rows).await.map(|()| (results, view))
        }
        Err(error) => Err(error),
    };
    match (&committed, known) {
        (Ok((_, view)), Some(known)) => known.learn(&keys, view),
        (Err(_), Some(known)) => known.forget(),
        (_, None) => {}
    }
    committed.map(|(results, _)| results)
}

/// Decides the batch on what `known` says and commits it guarded, when every stream
/// of the batch is known and no request is refused; `None` when it was not tried or
/// was refused (then `known` is forgotten and the caller looks the batch up).
async fn commit_guess<T: TxOps>(
    tx: &mut T,
    units: &[Unit<'_>],
    keys: &BatchKeys,
    known: &mut Known,
    now: DateTime<Utc>,
) -> Option<Vec<UnitResult>> {
    let guess = known.guess(keys)?;
    let guessed_head = guess.head.position;
    let valid = units.iter().map(|unit| validate_unit(*unit)).collect();
    let (results, view, command_rows) = decide(units, valid, guess, now);
    // A refusal decided on a guess may be wrong: the lookup could find the request to
    // be a retry, which answers with its original outcome instead.
    if !results.iter().all(|r| matches!(r, Ok(_) | Err(StoreError::Invalid(_)))) {
        return None;
    }
    match tx.commit_guessed(guessed_head, &view.rows, &command_rows).await {
        Ok(()) => {
            known.learn(keys, &view);
            Some(results)
        }
        Err(error) => {
            tracing::debug!(%error, "a guessed batch was refused; looking it up");
            known.forget();
            None
        }
    }
}

/// Decides every unit against `lookup`: the results, the view with the rows to insert,
/// and the command-log rows.
fn decide(
    units: &[Unit<'_>],
    valid: Vec<Result<(), StoreError>>,
    lookup: Lookup,
    now: DateTime<Utc>,
) -> (Vec<UnitResult>, View, Vec<CommandRow>) {
    let mut view = View {
        now,
        head: lookup.head,
        commands: lookup.commands,
        events: lookup.events,
        versions: lookup.versions,
        rows: Vec::new(),
    };
    let mut command_rows = Vec::new();
    let mut results = Vec::with_capacity(units.len());
    for (unit, valid) in units.iter().zip(valid) {
        let result = match (valid, unit) {
            (Err(invalid), _) => Err(invalid),
            (Ok(()), Unit::One(request)) => view.apply(request).map(|outcome| vec![outcome]),
            (Ok(()), Unit::All(requests)) => view.apply_all(requests),
        };
        if let Ok(outcomes) = &result {
            for (request, outcome) in unit.requests().iter().zip(outcomes) {
                if let (Some(command_id), false) = (request.command_id, outcome.duplicate) {
                    command_rows.push(CommandRow {
                        command_id,
                        stream_id: request.stream_id.clone(),
                        outcome: *outcome,
                        recorded_at: now,
                    });
                }
            }
        }
        results.push(result);
    }
    (results, view, command_rows)
}

/// What a writer knows of the log between its batches: where the log ends (it wrote
/// or read that last) and the last version of the streams its batches touched. Only
/// true while no other writer appends, which [`TxOps::commit_guessed`] checks.
#[derive(Debug, Default)]
pub(crate) struct Known {
    head: Option<Head>,
    versions: HashMap<String, u64>,
}

/// Most stream versions [`Known`] keeps (then it starts over from lookups).
const KNOWN_STREAMS: usize = 100_000;

impl Known {
    /// A lookup made of what is known, when every stream of `keys` is known. It finds
    /// no recorded command or event ids: if there are any, the guarded commit fails on
    /// their unique keys and the batch is looked up.
    fn guess(&self, keys: &BatchKeys) -> Option<Lookup> {
        let head = self.head.clone()?;
        let versions = keys
            .stream_ids
            .iter()
            .map(|stream| self.versions.get(stream).map(|version| (stream.clone(), *version)))
            .collect::<Option<HashMap<_, _>>>()?;
        Some(Lookup { head, commands: HashMap::new(), events: HashMap::new(), versions })
    }

    /// Takes in a committed batch's view (version 0: no stream).
    fn learn(&mut self, keys: &BatchKeys, view: &View) {
        if self.versions.len() + keys.stream_ids.len() > KNOWN_STREAMS {
            self.versions.clear();
        }
        for stream in &keys.stream_ids {
            self.versions.insert(stream.clone(), view.versions.get(stream).copied().unwrap_or(0));
        }
        self.head = Some(view.head.clone());
    }

    fn forget(&mut self) {
        self.head = None;
        self.versions.clear();
    }
}

/// The batch's view of the store: what the lookup found, plus what the batch's
/// earlier requests wrote.
struct View {
    now: DateTime<Utc>,
    head: Head,
    commands: HashMap<Uuid, AppendOutcome>,
    events: HashMap<Uuid, (u64, u64)>,
    versions: HashMap<String, u64>,
    rows: Vec<EventRow>,
}

impl View {
    /// One request against the view; its rows join `rows`.
    fn apply(&mut self, request: &AppendRequest) -> Result<AppendOutcome, StoreError> {
        if let Some(outcome) = request.command_id.and_then(|id| self.commands.get(&id)) {
            return Ok(AppendOutcome { duplicate: true, ..*outcome });
        }
        let mut distinct: Vec<Uuid> = request.events.iter().map(|e| e.event_id).collect();
        distinct.sort_unstable();
        distinct.dedup();
        let stored: Vec<(u64, u64)> = distinct.iter().filter_map(|id| self.events.get(id).copied()).collect();
        if !stored.is_empty() {
            if stored.len() == distinct.len() {
                return Ok(AppendOutcome {
                    stream_version: stored.iter().map(|(_, v)| *v).max().unwrap_or(0),
                    first_position: stored.iter().map(|(p, _)| *p).min().unwrap_or(0),
                    last_position: stored.iter().map(|(p, _)| *p).max().unwrap_or(0),
                    duplicate: true,
                });
            }
            return Err(StoreError::PartialDuplicate {
                stream_id: request.stream_id.clone(),
                event_id: request.events[0].event_id,
            });
        }
        let current = self.versions.get(&request.stream_id).copied().unwrap_or(0);
        if !request.expected.allows(current) {
            return Err(StoreError::Conflict {
                stream_id: request.stream_id.clone(),
                expected: request.expected,
                actual: current,
            });
        }
        let first_position = self.head.position + 1;
        for (offset, event) in request.events.iter().enumerate() {
            let stream_version = current + offset as u64 + 1;
            let global_position = self.head.position + 1;
            let data = canonical_json(&event.data);
            let metadata = canonical_json(&serde_json::to_value(&event.metadata).unwrap_or_default());
            let hash = event_hash(&HashInput {
                prev_hash: &self.head.hash,
                event_id: &event.event_id,
                stream_id: &request.stream_id,
                stream_version,
                global_position,
                event_type: &event.event_type,
                schema_version: event.schema_version,
                data: &data,
                metadata: &metadata,
                recorded_at_micros: self.now.timestamp_micros(),
            });
            self.events.insert(event.event_id, (global_position, stream_version));
            self.rows.push(EventRow {
                event_id: event.event_id,
                stream_id: request.stream_id.clone(),
                stream_version,
                global_position,
                event_type: event.event_type.clone(),
                schema_version: event.schema_version,
                data,
                metadata,
                recorded_at: self.now,
                prev_hash: std::mem::replace(&mut self.head.hash, hash.clone()),
                hash,
            });
            self.head.position = global_position;
        }
        let outcome = AppendOutcome {
            stream_version: current + request.events.len() as u64,
            first_position,
            last_position: self.head.position,
            duplicate: false,
        };
        self.versions.insert(request.stream_id.clone(), outcome.stream_version);
        if let Some(command_id) = request.command_id {
            self.commands.insert(command_id, outcome);
        }
        Ok(outcome)
    }

    /// Applies every request of an atomic unit, or none: on the first refusal the view
    /// goes back to what it was before the unit. A unit that was appended before (every
    /// request recognised as a retry) answers with the original outcomes; a unit that is
    /// partly a retry is refused, since its other half would be appended twice.
    fn apply_all(&mut self, requests: &[AppendRequest]) -> Result<Vec<AppendOutcome>, StoreError> {
        let before = (self.head.clone(), self.commands.clone(), self.events.clone(), self.versions.clone());
        let rows_before = self.rows.len();
        let applied: Result<Vec<AppendOutcome>, StoreError> =
            requests.iter().map(|request| self.apply(request)).collect();
        let refusal = match applied {
            Ok(outcomes) if outcomes.iter().all(|o| o.duplicate) || outcomes.iter().all(|o| !o.duplicate) => {
                return Ok(outcomes);
            }
            Ok(outcomes) => {
                let at = outcomes.iter().position(|o| o.duplicate).unwrap_or(0);
                StoreError::PartialDuplicate {
                    stream_id: requests[at].stream_id.clone(),
                    event_id: requests[at].events[0].event_id,
                }
            }
            Err(refusal) => refusal,
        };
        (self.head, self.commands, self.events, self.versions) = before;
        self.rows.truncate(rows_before);
        Err(refusal)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::event_store::{EventMetadata, ExpectedVersion, NewEvent};

    /// An empty store that records what the batch inserts.
    #[derive(Default)]
    struct EmptyStore {
        inserted: Vec<(Vec<EventRow>, Vec<CommandRow>)>,
    }

    impl TxOps for EmptyStore {
        async fn lookup(&mut self, _keys: &BatchKeys) -> Result<Lookup, StoreError> {
            Lookup::from_rows(Vec::new())
        }

        async fn commit(&mut self, events: &[EventRow], commands: &[CommandRow]) -> Result<(), StoreError> {
            self.inserted.push((events.to_vec(), commands.to_vec()));
            Ok(())
        }
    }

    fn request(stream_id: &str, expected: ExpectedVersion, command_id: Option<Uuid>) -> AppendRequest {
        let event = NewEvent {
            event_id: Uuid::now_v7(),
            event_type: "Tested".into(),
            schema_version: 1,
            data: serde_json::json!({"n": 1}),
            metadata: EventMetadata::default(),
        };
        AppendRequest { stream_id: stream_id.into(), expected, events: vec![event], command_id }
    }

    /// The database would refuse a batch that numbered a stream twice or recorded a
    /// command id twice, and the writer would then retry its requests one by one, which
    /// hides the mistake from every outside test: so the rules are checked here, on
    /// what one batch inserts.
    #[tokio::test]
    async fn one_batch_numbers_streams_and_commands_as_if_one_by_one() {
        let command = Uuid::now_v7();
        let same_events = request("coupon-B", ExpectedVersion::Any, None);
        let requests = [
            request("product-A", ExpectedVersion::NoStream, Some(command)),
            request("product-A", ExpectedVersion::Exact(1), None),
            request("product-A", ExpectedVersion::Exact(1), None), // stale now
            request("order-C", ExpectedVersion::Any, Some(command)), // same command again
            same_events.clone(),
            same_events,
            request("bad", ExpectedVersion::Any, None),
        ];
        let units: Vec<Unit<'_>> = requests.iter().map(Unit::One).collect();
        let mut store = EmptyStore::default();
        let results = append_batch(&mut store, &units, Utc::now(), None).await.unwrap();

        let outcome = |i: usize| results[i].as_ref().ok().map(|outcomes| outcomes[0]);
        assert_eq!(outcome(0).map(|o| (o.stream_version, o.last_position, o.duplicate)), Some((1, 1, false)));
        assert_eq!(outcome(1).map(|o| (o.stream_version, o.last_position)), Some((2, 2)));
        assert!(matches!(results[2], Err(StoreError::Conflict { actual: 2, .. })));
        assert_eq!(outcome(3), Some(AppendOutcome { duplicate: true, ..outcome(0).unwrap() }));
        assert_eq!(outcome(4).map(|o| (o.stream_version, o.last_position, o.duplicate)), Some((1, 3, false)));
        assert_eq!(outcome(5).map(|o| (o.stream_version, o.last_position, o.duplicate)), Some((1, 3, true)));
        assert!(matches!(results[6], Err(StoreError::Invalid(_))));

        assert_eq!(store.inserted.len(), 1, "one insert and commit for the whole batch");
        let (rows, commands) = &store.inserted[0];
        let numbered: Vec<(&str, u64, u64)> =
            rows.iter().map(|r| (r.stream_id.as_str(), r.stream_version, r.global_position)).collect();
        assert_eq!(numbered, [("product-A", 1, 1), ("product-A", 2, 2), ("coupon-B", 1, 3)]);
        assert_eq!(commands.len(), 1);
        assert_eq!(commands[0].command_id, command);
        // The chain links across requests.
        assert_eq!(rows[0].prev_hash, GENESIS_HASH);
        assert_eq!(rows[1].prev_hash, rows[0].hash);
        assert_eq!(rows[2].prev_hash, rows[1].hash);
    }

    /// An atomic unit that fails on its second stream leaves nothing of its first, and
    /// the requests after it in the batch number on as if it had never been there.
    #[tokio::test]
    async fn a_refused_atomic_unit_leaves_no_trace_in_its_batch() {
        let cart = request("cart-A", ExpectedVersion::NoStream, None);
        let stale_order = request("order-B", ExpectedVersion::Exact(3), None);
        let refused = [cart.clone(), stale_order];
        let fine = [
            request("cart-C", ExpectedVersion::NoStream, Some(Uuid::now_v7())),
            request("order-D", ExpectedVersion::NoStream, None),
        ];
        let after = request("product-E", ExpectedVersion::NoStream, None);
        let twice = [request("cart-F", ExpectedVersion::Any, None), request("cart-F", ExpectedVersion::Any, None)];
        let units = [Unit::All(&refused), Unit::All(&fine), Unit::One(&after), Unit::All(&twice), Unit::All(&[])];
        let mut store = EmptyStore::default();
        let results = append_batch(&mut store, &units, Utc::now(), None).await.unwrap();

        assert!(matches!(&results[0], Err(StoreError::Conflict { stream_id, .. }) if stream_id == "order-B"));
        let positions: Vec<u64> = results[1].as_ref().unwrap().iter().map(|o| o.last_position).collect();
        assert_eq!(positions, [1, 2], "the refused unit took no positions");
        assert_eq!(results[2].as_ref().unwrap()[0].last_position, 3);
        assert!(matches!(results[3], Err(StoreError::Invalid(_))), "one stream twice in one unit");
        assert!(matches!(results[4], Err(StoreError::Invalid(_))), "an empty unit");
        let (rows, commands) = &store.inserted[0];
        let streams: Vec<&str> = rows.iter().map(|r| r.stream_id.as_str()).collect();
        assert_eq!(streams, ["cart-C", "order-D", "product-E"]);
        assert_eq!(rows[0].prev_hash, GENESIS_HASH, "the chain starts over where the refused unit began");
        assert_eq!(commands.len(), 1);
    }

    /// A unit appended before answers with its outcomes again; one that is partly a
    /// retry is refused (its other half would be written twice).
    #[tokio::test]
    async fn a_retried_atomic_unit_is_recognised_whole_or_refused() {
        let unit = [
            request("cart-A", ExpectedVersion::NoStream, Some(Uuid::now_v7())),
            request("order-B", ExpectedVersion::NoStream, Some(Uuid::now_v7())),
        ];
        let mut half = unit.clone();
        half[1] = request("order-C", ExpectedVersion::NoStream, None);
        let units = [Unit::All(&unit), Unit::All(&unit), Unit::All(&half)];
        let mut store = EmptyStore::default();
        let results = append_batch(&mut store, &units, Utc::now(), None).await.unwrap();
        let first = results[0].as_ref().unwrap();
        let again = results[1].as_ref().unwrap();
        assert!(first.iter().all(|o| !o.duplicate) && again.iter().all(|o| o.duplicate));
        assert_eq!(
            first.iter().map(|o| o.last_position).collect::<Vec<_>>(),
            again.iter().map(|o| o.last_position).collect::<Vec<_>>()
        );
        assert!(matches!(results[2], Err(StoreError::PartialDuplicate { .. })));
        assert_eq!(store.inserted[0].0.len(), 2, "only the first unit wrote rows");
    }
}
