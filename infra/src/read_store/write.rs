//! One document change in a projection batch.

use std::collections::HashMap;

use serde_json::Value;

/// A change to one document, applied atomically with the projection's checkpoint.
#[derive(Debug, Clone, PartialEq)]
pub enum DocWrite {
    /// Inserts or replaces a document.
    Put {
        /// The collection, e.g. `products`.
        collection: String,
        /// The document's key within the collection.
        id: String,
        /// The whole document.
        doc: Value,
    },
    /// Removes a document if it exists.
    Delete {
        /// The collection.
        collection: String,
        /// The document's key.
        id: String,
    },
}

impl DocWrite {
    /// A put.
    pub fn put(collection: impl Into<String>, id: impl Into<String>, doc: Value) -> Self {
        Self::Put { collection: collection.into(), id: id.into(), doc }
    }

    /// A delete.
    pub fn delete(collection: impl Into<String>, id: impl Into<String>) -> Self {
        Self::Delete { collection: collection.into(), id: id.into() }
    }

    /// The `(collection, id)` this write touches.
    pub fn key(&self) -> (&str, &str) {
        match self {
            Self::Put { collection, id, .. } | Self::Delete { collection, id } => (collection, id),
        }
    }
}

/// Keeps only the last write per document, in first-touch order, so a batch can be
/// applied as independent statements (or one bulk statement per kind).
pub(crate) fn last_write_wins(writes: Vec<DocWrite>) -> Vec<DocWrite> {
    let mut slot: HashMap<(String, String), usize> = HashMap::new();
    let mut out: Vec<DocWrite> = Vec::with_capacity(writes.len());
    for write in writes {
        let (collection, id) = write.key();
        let key = (collection.to_owned(), id.to_owned());
        match slot.get(&key) {
            Some(&i) => out[i] = write,
            None => {
                slot.insert(key, out.len());
                out.push(write);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_last_write_to_a_document_wins() {
        let out = last_write_wins(vec![
            DocWrite::put("c", "1", json!({"v": 1})),
            DocWrite::put("c", "2", json!({"v": 2})),
            DocWrite::delete("c", "1"),
            DocWrite::put("d", "1", json!({"v": 3})),
            DocWrite::put("c", "2", json!({"v": 4})),
        ]);
        assert_eq!(
            out,
            vec![
                DocWrite::delete("c", "1"),
                DocWrite::put("c", "2", json!({"v": 4})),
                DocWrite::put("d", "1", json!({"v": 3})),
            ]
        );
    }
}
