//! [`CachedReadStore`]: a bounded cache of documents read by id, in front of any
//! [`ReadStore`], kept exact by the writes that pass through it.
//!
//! Reading a document by id is the hot path of the read API; without a cache each
//! one is a database round trip and a JSON parse. The cache is only correct while
//! every write to the read models goes through this instance, which is what `serve`
//! gives it when the projectors run in the same process. A commit that finds the
//! stored checkpoint already past its batch (another process applied it) empties the
//! cache, since those writes did not pass through here.
//!
//! Why a read can never put an old document back after a commit replaced it: each
//! commit removes its documents before and after the database transaction and bumps
//! a generation each time; a read that missed may store what it read only if the
//! generation is the one it started with and no commit is in flight. So a reader that
//! was told "position N is applied" (by a checkpoint, read after the commit) never
//! finds a document older than N here.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use hashlink::LruCache;
use serde_json::Value;

use super::{DocWrite, Page, Query, ReadStore, ReadStoreError};

/// Documents kept, unless set otherwise (a product document is about 0.5 KB).
pub const DEFAULT_CAPACITY: usize = 20_000;

/// A [`ReadStore`] that answers [`ReadStore::get`] from memory where it can.
pub struct CachedReadStore {
    inner: Arc<dyn ReadStore>,
    state: Mutex<CacheState>,
}

struct CacheState {
    /// `(collection, id)` → the document, `None` for "known not to exist".
    docs: LruCache<(String, String), Option<Value>>,
    /// Bumped before and after every commit, write and reset.
    generation: u64,
    /// Commits, writes and resets under way.
    in_flight: u32,
}

impl std::fmt::Debug for CachedReadStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let cached = self.lock().docs.len();
        f.debug_struct("CachedReadStore").field("cached", &cached).finish_non_exhaustive()
    }
}

impl CachedReadStore {
    /// Caches up to `capacity` documents of `inner` (at least one).
    pub fn new(inner: Arc<dyn ReadStore>, capacity: usize) -> Self {
        let state = CacheState { docs: LruCache::new(capacity.max(1)), generation: 0, in_flight: 0 };
        Self { inner, state: Mutex::new(state) }
    }

    fn lock(&self) -> MutexGuard<'_, CacheState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs one change with the documents it touches forgotten before and after,
    /// and reads that miss held back from storing anything meanwhile.
    async fn change<T>(
        &self,
        touched: Touched,
        change: impl Future<Output = Result<T, ReadStoreError>>,
    ) -> Result<T, ReadStoreError> {
        {
            let mut state = self.lock();
            state.in_flight += 1;
            state.generation += 1;
            touched.forget(&mut state.docs);
        }
        // Ends the change even if this future is dropped mid-way; on an error the
        // transaction may or may not have committed, so it forgets either way.
        let _end = ChangeEnd { store: self, touched };
        change.await
    }
}

/// Ends a change when dropped: forgets what it touched again and lets reads store.
struct ChangeEnd<'a> {
    store: &'a CachedReadStore,
    touched: Touched,
}

impl Drop for ChangeEnd<'_> {
    fn drop(&mut self) {
        let mut state = self.store.lock();
        state.in_flight -= 1;
        state.generation += 1;
        self.touched.forget(&mut state.docs);
    }
}

/// What a change touches: some documents, or everything.
enum Touched {
    Docs(HashSet<(String, String)>),
    Everything,
}

impl Touched {
    fn of(writes: &[DocWrite]) -> Self {
        Self::Docs(writes.iter().map(|w| (w.key().0.to_owned(), w.key().1.to_owned())).collect())
    }

    fn forget(&self, docs: &mut LruCache<(String, String), Option<Value>>) {
        match self {
            Self::Everything => docs.clear(),
            Self::Docs(keys) => {
                for key in keys {
                    docs.remove(key);
                }
            }
        }
    }
}

#[async_trait]
impl ReadStore for CachedReadStore {
    async fn get(&self, collection: &str, id: &str) -> Result<Option<Value>, ReadStoreError> {
        let key = (collection.to_owned(), id.to_owned());
        let started = {
            let mut state = self.lock();
            if let Some(doc) = state.docs.get(&key) {
                return Ok(doc.clone());
            }
            state.generation
        };
        let doc = self.inner.get(collection, id).await?;
        let mut state = self.lock();
        if state.generation == started && state.in_flight == 0 {
            state.docs.insert(key, doc.clone());
        }
        Ok(doc)
    }

    async fn query(&self, collection: &str, query: &Query) -> Result<Page, ReadStoreError> {
        self.inner.query(collection, query).await
    }

    async fn checkpoint(&self, projection: &str) -> Result<u64, ReadStoreError> {
        self.inner.checkpoint(projection).await
    }

    async fn commit(&self, projection: &str, writes: Vec<DocWrite>, position: u64) -> Result<bool, ReadStoreError> {
        let touched = Touched::of(&writes);
        let applied = self.change(touched, self.inner.commit(projection, writes, position)).await?;
        if !applied {
            // Someone else applied this batch, through another instance: what they
            // wrote did not pass through here.
            let mut state = self.lock();
            state.generation += 1;
            state.docs.clear();
        }
        Ok(applied)
    }

    async fn write(&self, projection: &str, writes: Vec<DocWrite>) -> Result<(), ReadStoreError> {
        let touched = Touched::of(&writes);
        self.change(touched, self.inner.write(projection, writes)).await
    }

    async fn reset(&self, projection: &str, collections: &[&str]) -> Result<(), ReadStoreError> {
        self.change(Touched::Everything, self.inner.reset(projection, collections)).await
    }
}
