//! The dispatcher's documents during a batch: the read store overlaid with the
//! batch's own writes, which commit together with the checkpoint.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use emporium_infra::read_store::{DocWrite, FieldPath, FieldValue, MAX_LIMIT, Query, ReadStore};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::DispatchError;

/// Documents as they will be once the batch commits.
pub(super) struct Overlay {
    reads: Arc<dyn ReadStore>,
    /// collection → id → the pending document, `None` when deleted in this batch.
    pending: HashMap<String, BTreeMap<String, Option<Value>>>,
    writes: Vec<DocWrite>,
}

impl Overlay {
    /// An empty overlay over `reads`.
    pub fn new(reads: Arc<dyn ReadStore>) -> Self {
        Self { reads, pending: HashMap::new(), writes: Vec::new() }
    }

    /// One document, typed: the batch's version if it has one, else the stored one.
    pub async fn get<T: DeserializeOwned>(&self, collection: &str, id: &str) -> Result<Option<T>, DispatchError> {
        let doc = match self.pending.get(collection).and_then(|docs| docs.get(id)) {
            Some(pending) => pending.clone(),
            None => self.reads.get(collection, id).await?,
        };
        doc.map(|doc| serde_json::from_value(doc).map_err(|source| document_error(collection, id, source))).transpose()
    }

    /// Stores a document (keyed by `id`) when the batch commits.
    pub fn put<T: Serialize>(&mut self, collection: &str, id: &str, doc: &T) -> Result<(), DispatchError> {
        let doc = serde_json::to_value(doc).map_err(|source| document_error(collection, id, source))?;
        self.pending.entry(collection.to_owned()).or_default().insert(id.to_owned(), Some(doc.clone()));
        self.writes.push(DocWrite::put(collection, id, doc));
        Ok(())
    }

    /// Deletes a document when the batch commits.
    pub fn delete(&mut self, collection: &str, id: &str) {
        self.pending.entry(collection.to_owned()).or_default().insert(id.to_owned(), None);
        self.writes.push(DocWrite::delete(collection, id));
    }

    /// Every document of `collection` whose `field` equals `value`, in id order.
    /// Documents must carry their key in an `id` field.
    pub async fn find<T: DeserializeOwned>(
        &self,
        collection: &str,
        field: &str,
        value: impl Into<FieldValue>,
    ) -> Result<Vec<T>, DispatchError> {
        let value = value.into();
        let path = FieldPath::parse(field)?;
        let pending = self.pending.get(collection);
        let mut found: BTreeMap<String, Value> = BTreeMap::new();
        let mut offset = 0;
        loop {
            let page = self
                .reads
                .query(collection, &Query::new().filter(field, value.clone()).page(offset, MAX_LIMIT))
                .await?;
            let fetched = page.items.len() as u64;
            for doc in page.items {
                let Some(id) = doc.get("id").and_then(Value::as_str).map(str::to_owned) else { continue };
                if pending.is_none_or(|docs| !docs.contains_key(&id)) {
                    found.insert(id, doc);
                }
            }
            offset += fetched;
            if fetched == 0 || offset >= page.total {
                break;
            }
        }
        for (id, doc) in pending.into_iter().flatten() {
            if let Some(doc) = doc.as_ref().filter(|doc| path.lookup(doc).is_some_and(|v| value.matches(v))) {
                found.insert(id.clone(), doc.clone());
            }
        }
        found
            .into_iter()
            .map(|(id, doc)| serde_json::from_value(doc).map_err(|source| document_error(collection, &id, source)))
            .collect()
    }

    /// The batch's writes, in order.
    pub fn into_writes(self) -> Vec<DocWrite> {
        self.writes
    }
}

fn document_error(collection: &str, id: &str, source: serde_json::Error) -> DispatchError {
    DispatchError::Document { collection: collection.to_owned(), id: id.to_owned(), source }
}
