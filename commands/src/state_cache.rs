//! A bounded cache of aggregate states, so a command on a long stream does not fold
//! the stream again.
//!
//! An entry is a state together with the stream version it was folded up to. It is
//! never trusted over the log: the handler decides on it and appends with that
//! version as the expected version, so if any writer (another replica, another
//! process) got there first the store answers with a conflict and the handler reads
//! the events after the cached version and decides again. A refusal or a no-op on a
//! cached state is likewise checked against the log's tail before it is reported.
//! The cache lives in the process, so a change of an aggregate's state shape ships
//! with a new binary and an empty cache: there is nothing stale to migrate.
//!
//! Bounded by entries (least recently used out first): memory does not grow with
//! history or with the number of streams.

use std::any::Any;
use std::sync::{Arc, Mutex};

use emporium_domain::Decider;
use hashlink::LruCache;

/// Streams kept by default: hot streams stay, a long tail of cold ones cycles through.
pub const DEFAULT_CAPACITY: usize = 10_000;

/// An aggregate's state as of a stream version.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Folded<S> {
    /// The state after the stream's first `version` events.
    pub state: S,
    /// The stream's version the state reflects (0: no stream).
    pub version: u64,
    /// The global position of the stream's event at `version` (0: none).
    pub position: u64,
}

/// States by stream id, least recently used evicted first.
pub struct StateCache {
    entries: Mutex<LruCache<String, Arc<dyn Any + Send + Sync>>>,
}

impl StateCache {
    /// A cache holding at most `capacity` streams (0 turns caching off).
    pub fn new(capacity: usize) -> Self {
        Self { entries: Mutex::new(LruCache::new(capacity)) }
    }

    /// The cached state of `stream_id`, if any.
    pub fn get<D: Decider>(&self, stream_id: &str) -> Option<Folded<D::State>> {
        let entry = self.lock().get(stream_id).cloned()?;
        // Stream ids start with the aggregate's category, so an entry is always of
        // its decider's state type; a mismatch would only mean a miss.
        entry.downcast_ref::<Folded<D::State>>().cloned()
    }

    /// Remembers `folded` for `stream_id` unless a newer version is already cached.
    pub fn put<D: Decider>(&self, stream_id: &str, folded: Folded<D::State>) {
        let mut entries = self.lock();
        if entries.capacity() == 0 {
            return;
        }
        let newer_cached = entries
            .get(stream_id)
            .and_then(|entry| entry.downcast_ref::<Folded<D::State>>())
            .is_some_and(|cached| cached.version > folded.version);
        if !newer_cached {
            entries.insert(stream_id.to_owned(), Arc::new(folded));
        }
    }

    /// How many streams are cached.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// True when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LruCache<String, Arc<dyn Any + Send + Sync>>> {
        // A panic while holding the lock cannot leave an entry half-written (inserts
        // and removals are single calls), so a poisoned cache is still sound.
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Default for StateCache {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

#[cfg(test)]
mod tests {
    use emporium_domain::invoice::{Invoice, InvoiceState};

    use super::*;

    fn folded(version: u64) -> Folded<InvoiceState> {
        Folded { state: InvoiceState::default(), version, position: version * 10 }
    }

    #[test]
    fn keeps_the_newest_version_of_a_stream() {
        let cache = StateCache::new(4);
        cache.put::<Invoice>("invoice-a", folded(3));
        cache.put::<Invoice>("invoice-a", folded(2));
        assert_eq!(cache.get::<Invoice>("invoice-a").map(|f| f.version), Some(3));
        cache.put::<Invoice>("invoice-a", folded(5));
        assert_eq!(cache.get::<Invoice>("invoice-a").map(|f| f.position), Some(50));
    }

    #[test]
    fn evicts_the_least_recently_used_stream_beyond_capacity() {
        let cache = StateCache::new(2);
        cache.put::<Invoice>("invoice-a", folded(1));
        cache.put::<Invoice>("invoice-b", folded(1));
        assert!(cache.get::<Invoice>("invoice-a").is_some()); // a is now the most recent
        cache.put::<Invoice>("invoice-c", folded(1));
        assert_eq!(cache.len(), 2);
        assert!(cache.get::<Invoice>("invoice-b").is_none());
        assert!(cache.get::<Invoice>("invoice-a").is_some());
        assert!(cache.get::<Invoice>("invoice-c").is_some());
    }

    #[test]
    fn capacity_zero_caches_nothing() {
        let cache = StateCache::new(0);
        cache.put::<Invoice>("invoice-a", folded(1));
        assert!(cache.get::<Invoice>("invoice-a").is_none());
        assert!(cache.is_empty());
    }
}
