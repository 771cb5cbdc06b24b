//! A projector's view of its documents during a batch: the read store overlaid with
//! the writes of the batch so far.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use emporium_infra::read_store::{DocWrite, FieldPath, FieldValue, MAX_LIMIT, Query, ReadStore};
use serde_json::Value;

use crate::ProjectionError;

/// Documents as they will be once the current batch commits.
pub struct Documents {
    store: Arc<dyn ReadStore>,
    /// `(collection, id)` -> the pending document, `None` when deleted in this batch.
    pending: HashMap<String, BTreeMap<String, Option<Value>>>,
    /// Documents of earlier batches as committed, `None` when deleted (see [`Documents::keep`]).
    kept: HashMap<String, HashMap<String, Option<Value>>>,
    /// Collections emptied by a rebuild whose every document since is in `kept`, so a
    /// document missing there does not exist: `get` need not ask the store.
    whole: &'static [&'static str],
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
        Self { store, pending: HashMap::new(), kept: HashMap::new(), whole: &[] }
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
            return Ok(kept.clone());
        }
        if self.whole.contains(&collection) {
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
    /// back, up to [`KEEP_MAX`] of them. (`find` asks the store, which has them.)
    ///
    /// Only for a sole writer (a rebuild): a kept document is what the store holds
    /// only while nobody else writes it. A refused commit means someone else did, so
    /// all are dropped; so they are when there are too many, to bound memory.
    pub(crate) fn keep(&mut self, committed: bool) {
        let pending = std::mem::take(&mut self.pending);
        let kept: usize = self.kept.values().map(HashMap::len).sum();
        if !committed || kept > KEEP_MAX {
            self.kept.clear();
            self.whole = &[];
        }
        if committed {
            for (collection, docs) in pending {
                self.kept.entry(collection).or_default().extend(docs);
            }
        }
    }
}

/// Most documents [`Documents::keep`] holds between batches (~100 MB of typical
/// read-model documents).
const KEEP_MAX: usize = 100_000;

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
