//! A projector's view of its documents during a batch: the read store overlaid with
//! the writes of the batch so far.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use emporium_infra::read_store::{DocWrite, FieldPath, FieldValue, MAX_LIMIT, Query, ReadStore};
use serde_json::Value;

use crate::ProjectionError;

/// Documents as they will be once the current batch commits.
pub struct Documents {
    store: Arc<dyn ReadStore>,
    /// `(collection, id)` -> the pending document, `None` when deleted in this batch.
    pending: HashMap<String, BTreeMap<String, Option<Value>>>,
    /// Documents of earlier batches as committed, `None` when deleted, with the batch
    /// that last wrote each (see [`Documents::keep`]).
    kept: HashMap<String, HashMap<String, Kept>>,
    /// Batches kept so far: the stamp of the next one.
    batches: u64,
    /// Collections emptied by a rebuild whose every document since is in `kept` or
    /// `evicted`, so a document in neither does not exist: `get` need not ask the store.
    whole: &'static [&'static str],
    /// Of the `whole` collections: ids of stored documents dropped from `kept` to bound
    /// its memory, which `get` reads back from the store.
    evicted: HashMap<String, HashSet<String>>,
    /// Most documents `kept` holds ([`KEEP_MAX`] but in tests).
    keep_max: usize,
}

/// A document as committed by the batch `batch`, `None` when deleted.
struct Kept {
    batch: u64,
    doc: Option<Value>,
}

impl std::fmt::Debug for Documents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pending: usize = self.pending.values().map(BTreeMap::len).sum();
        f.debug_struct("Documents").field("pending_writes", &pending).finish()
    }
}

impl Documents {
    /// An empty overlay over `store`.
    pub fn new(store: Arc<dyn ReadStore>) -> Self {
        Self {
            store,
            pending: HashMap::new(),
            kept: HashMap::new(),
            batches: 0,
            whole: &[],
            evicted: HashMap::new(),
            keep_max: KEEP_MAX,
        }
    }

    /// An empty overlay over `store` right after `collections` were emptied, for a
    /// rebuild (which calls [`Documents::keep`] after each batch).
    pub(crate) fn after_reset(store: Arc<dyn ReadStore>, collections: &'static [&'static str]) -> Self {
        Self { whole: collections, ..Self::new(store) }
    }

    /// One document: the batch's pending version if any, else the stored one.
    pub async fn get(&self, collection: &str, id: &str) -> Result<Option<Value>, ProjectionError> {
        if let Some(pending) = self.pending.get(collection).and_then(|docs| docs.get(id)) {
            return Ok(pending.clone());
        }
        if let Some(kept) = self.kept.get(collection).and_then(|docs| docs.get(id)) {
            return Ok(kept.doc.clone());
        }
        let evicted = self.evicted.get(collection).is_some_and(|ids| ids.contains(id));
        if self.whole.contains(&collection) && !evicted {
            return Ok(None);
        }
        Ok(self.store.get(collection, id).await?)
    }

    /// Every document of `collection` whose `field` equals `value`, as `(id, doc)`.
    ///
    /// Stored documents are keyed by their `id` field, so a projector that uses this
    /// must store its key there. Meant for fan-out updates (a category renamed, the
    /// products of a SKU); it reads all matches, page by page.
    pub async fn find(
        &self,
        collection: &str,
        field: &str,
        value: impl Into<FieldValue>,
    ) -> Result<Vec<(String, Value)>, ProjectionError> {
        let value = value.into();
        let path = FieldPath::parse(field)?;
        let pending = self.pending.get(collection);
        let mut found: BTreeMap<String, Value> = BTreeMap::new();
        let mut offset = 0;
        loop {
            let query = Query::new().filter(field, value.clone()).page(offset, MAX_LIMIT);
            let page = self.store.query(collection, &query).await?;
            let fetched = page.items.len() as u64;
            for doc in page.items {
                let Some(id) = doc.get("id").and_then(Value::as_str).map(str::to_owned) else {
                    continue;
                };
                if pending.is_none_or(|p| !p.contains_key(&id)) {
                    found.insert(id, doc);
                }
            }
            offset += fetched;
            if fetched == 0 || offset >= page.total {
                break;
            }
        }
        for (id, doc) in pending.into_iter().flatten() {
            let matches = doc.as_ref().and_then(|d| path.lookup(d)).is_some_and(|v| value.matches(v));
            if let (true, Some(doc)) = (matches, doc) {
                found.insert(id.clone(), doc.clone());
            }
        }
        Ok(found.into_iter().collect())
    }

    /// Records writes so later reads of this batch see them.
    pub(crate) fn apply(&mut self, writes: Vec<DocWrite>) {
        for write in writes {
            let (collection, id, doc) = match write {
                DocWrite::Put { collection, id, doc } => (collection, id, Some(doc)),
                DocWrite::Delete { collection, id } => (collection, id, None),
            };
            self.pending.entry(collection).or_default().insert(id, doc);
        }
    }

    /// The batch's writes: the last one per document, which is all a commit applies
    /// (so a document changed by many events of a batch is written, and copied, once).
    pub(crate) fn into_writes(mut self) -> Vec<DocWrite> {
        self.take_writes()
    }

    /// [`Documents::into_writes`], keeping the documents for the rest of the batch.
    pub(crate) fn take_writes(&mut self) -> Vec<DocWrite> {
        let mut writes = Vec::new();
        for (collection, docs) in &self.pending {
            for (id, doc) in docs {
                writes.push(match doc {
                    Some(doc) => DocWrite::put(collection.as_str(), id.as_str(), doc.clone()),
                    None => DocWrite::delete(collection.as_str(), id.as_str()),
                });
            }
        }
        writes
    }

    /// After the batch's writes were committed (`committed`) or refused: starts the
    /// next batch, keeping the documents written so far so `get` need not read them
    /// back. (`find` asks the store, which has them.)
    ///
    /// Only for a sole writer (a rebuild): a kept document is what the store holds
    /// only while nobody else writes it. A refused commit means someone else did, so
    /// all are dropped. Past `keep_max` documents, the ones written longest ago are
    /// dropped to bound memory; their ids are remembered, so a document that was never
    /// written is still known not to exist without asking the store (a rebuild of a
    /// long log creates far more documents than it keeps, and asking the store for
    /// each new one made it grow faster than the log).
    pub(crate) fn keep(&mut self, committed: bool) {
        let pending = std::mem::take(&mut self.pending);
        if !committed {
            self.kept.clear();
            self.evicted.clear();
            self.whole = &[];
            return;
        }
        let batch = self.batches;
        self.batches += 1;
        for (collection, docs) in pending {
            let kept = self.kept.entry(collection).or_default();
            kept.extend(docs.into_iter().map(|(id, doc)| (id, Kept { batch, doc })));
        }
        let total: usize = self.kept.values().map(HashMap::len).sum();
        if total > self.keep_max {
            self.evict_oldest(total - self.keep_max / 2);
        }
    }

    /// Drops at least `count` kept documents, those of the oldest batches first.
    fn evict_oldest(&mut self, count: usize) {
        let mut per_batch: BTreeMap<u64, usize> = BTreeMap::new();
        for doc in self.kept.values().flat_map(HashMap::values) {
            *per_batch.entry(doc.batch).or_default() += 1;
        }
        let mut dropped = 0;
        let oldest_kept = per_batch
            .into_iter()
            .find_map(|(batch, docs)| {
                dropped += docs;
                (dropped >= count).then_some(batch + 1)
            })
            .unwrap_or(u64::MAX);
        for (collection, docs) in &mut self.kept {
            let whole = self.whole.contains(&collection.as_str());
            let mut evicted = whole.then(|| self.evicted.entry(collection.clone()).or_default());
            docs.retain(|id, kept| {
                if kept.batch >= oldest_kept {
                    return true;
                }
                // A deleted document dropped here does not exist: not asking is right.
                if let Some(evicted) = evicted.as_mut() {
                    match kept.doc {
                        Some(_) => evicted.insert(id.clone()),
                        None => evicted.remove(id),
                    };
                }
                false
            });
        }
        let evicted: usize = self.evicted.values().map(HashSet::len).sum();
        if evicted > EVICTED_MAX {
            self.evicted.clear();
            self.whole = &[];
        }
    }
}

/// Most documents [`Documents::keep`] holds between batches (~100 MB of typical
/// read-model documents).
const KEEP_MAX: usize = 100_000;

/// Most ids of dropped documents [`Documents::keep`] remembers (~100 MB); past it,
/// every document not kept is asked of the store.
const EVICTED_MAX: usize = 2_000_000;

#[cfg(test)]
mod tests {
    use emporium_infra::read_store::sqlite::SqliteReadStore;
    use serde_json::json;

    use super::*;

    async fn store_with(docs: Vec<DocWrite>) -> (tempfile::TempDir, Arc<dyn ReadStore>) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteReadStore::open(dir.path().join("read.db")).await.unwrap();
        store.commit("test", docs, 1).await.unwrap();
        (dir, Arc::new(store))
    }

    #[tokio::test]
    async fn reads_see_the_batchs_own_writes_before_they_are_committed() {
        let (_dir, store) = store_with(vec![
            DocWrite::put("c", "kept", json!({"id": "kept", "v": 1})),
            DocWrite::put("c", "gone", json!({"id": "gone", "v": 1})),
        ])
        .await;
        let mut docs = Documents::new(store.clone());
        assert_eq!(docs.get("c", "kept").await.unwrap(), Some(json!({"id": "kept", "v": 1})));
        docs.apply(vec![
            DocWrite::put("c", "kept", json!({"id": "kept", "v": 2})),
            DocWrite::put("c", "new", json!({"id": "new", "v": 2})),
            DocWrite::delete("c", "gone"),
        ]);
        assert_eq!(docs.get("c", "kept").await.unwrap(), Some(json!({"id": "kept", "v": 2})));
        assert_eq!(docs.get("c", "new").await.unwrap(), Some(json!({"id": "new", "v": 2})));
        assert_eq!(docs.get("c", "gone").await.unwrap(), None);
        // Nothing reached the store yet.
        assert_eq!(store.get("c", "new").await.unwrap(), None);
        assert_eq!(docs.into_writes().len(), 3);
    }

    /// One rebuild batch: applied, committed at `position`, kept.
    async fn rebuild_batch(docs: &mut Documents, store: &Arc<dyn ReadStore>, writes: Vec<DocWrite>, position: u64) {
        docs.apply(writes);
        let committed = store.commit("rebuild", docs.take_writes(), position).await.unwrap();
        docs.keep(committed);
    }

    #[tokio::test]
    async fn a_rebuild_reads_back_the_documents_it_dropped_and_asks_for_no_others() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn ReadStore> = Arc::new(SqliteReadStore::open(dir.path().join("read.db")).await.unwrap());
        let mut docs = Documents { keep_max: 4, ..Documents::after_reset(store.clone(), &["c"]) };
        let put = |id: &str, v: i64| DocWrite::put("c", id, json!({"id": id, "v": v}));
        rebuild_batch(&mut docs, &store, vec![put("a", 1), put("b", 1)], 1).await;
        rebuild_batch(&mut docs, &store, vec![put("c", 1), put("d", 1)], 2).await;
        // Five documents: the oldest are dropped (b, c, d); a, deleted now, stays.
        rebuild_batch(&mut docs, &store, vec![put("e", 1), DocWrite::delete("c", "a")], 3).await;
        assert!(docs.kept["c"].len() <= 2, "the oldest documents are dropped");

        // Written behind the rebuild's back (no one does that): proves `get` did not ask.
        store.commit("other", vec![put("never", 9)], 1).await.unwrap();
        assert_eq!(docs.get("c", "never").await.unwrap(), None, "a document never written is not asked for");
        for id in ["b", "c", "d", "e"] {
            assert_eq!(docs.get("c", id).await.unwrap(), Some(json!({"id": id, "v": 1})), "{id}");
        }
        assert_eq!(docs.get("c", "a").await.unwrap(), None);

        // A dropped document deleted and dropped again is gone, and stays unasked for.
        rebuild_batch(&mut docs, &store, vec![DocWrite::delete("c", "b"), put("f", 1), put("g", 1)], 4).await;
        rebuild_batch(&mut docs, &store, vec![put("h", 1), put("i", 1), put("j", 1)], 5).await;
        assert_eq!(docs.get("c", "b").await.unwrap(), None);
        assert!(!docs.evicted["c"].contains("b"));
    }

    #[tokio::test]
    async fn find_merges_stored_and_pending_documents() {
        let (_dir, store) = store_with(vec![
            DocWrite::put("p", "a", json!({"id": "a", "cat": "x"})),
            DocWrite::put("p", "b", json!({"id": "b", "cat": "x"})),
            DocWrite::put("p", "c", json!({"id": "c", "cat": "x"})),
            DocWrite::put("p", "d", json!({"id": "d", "cat": "y"})),
        ])
        .await;
        let mut docs = Documents::new(store);
        docs.apply(vec![
            DocWrite::delete("p", "a"),
            DocWrite::put("p", "b", json!({"id": "b", "cat": "y"})),
            DocWrite::put("p", "c", json!({"id": "c", "cat": "x", "v": 2})),
            DocWrite::put("p", "e", json!({"id": "e", "cat": "x"})),
        ]);
        let found = docs.find("p", "cat", "x").await.unwrap();
        assert_eq!(
            found,
            vec![
                ("c".to_owned(), json!({"id": "c", "cat": "x", "v": 2})),
                ("e".to_owned(), json!({"id": "e", "cat": "x"})),
            ]
        );
    }

    #[tokio::test]
    async fn find_reads_past_one_page_of_results() {
        let many = (0..250).map(|i| DocWrite::put("p", format!("{i:03}"), json!({"id": format!("{i:03}"), "k": 1})));
        let (_dir, store) = store_with(many.collect()).await;
        assert_eq!(Documents::new(store).find("p", "k", 1).await.unwrap().len(), 250);
    }
}
