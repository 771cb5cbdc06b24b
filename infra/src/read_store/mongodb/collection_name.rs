//! A read-model collection name that can be a MongoDB collection of its own. The port
//! takes collection names as free text; MongoDB, its drivers and this layout do not.

use super::records::CHECKPOINTS;
use crate::read_store::ReadStoreError;

/// The longest namespace (`database.collection`, in bytes) MongoDB 4.4+ accepts.
const MAX_NAMESPACE_BYTES: usize = 255;

/// A read-model collection name usable as the name of a MongoDB collection in a given
/// database, and clear of the store's own checkpoint collection.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct CollectionName(String);

impl CollectionName {
    /// Accepts `raw` as a collection of `database`, refusing what the server refuses
    /// (empty, `$`, NUL, a leading `.`, a `system.` prefix, an over-long namespace),
    /// what standard drivers cannot address (empty `.`-separated parts: a trailing
    /// `.` or `..`), and the checkpoint collection's name.
    pub(super) fn parse(raw: &str, database: &str) -> Result<Self, ReadStoreError> {
        let reason = if raw.is_empty() {
            "it is empty".to_owned()
        } else if raw.contains('$') {
            "it contains `$`".to_owned()
        } else if raw.contains('\0') {
            "it contains a NUL character".to_owned()
        } else if raw.split('.').any(str::is_empty) {
            "it starts or ends with `.` or contains `..`".to_owned()
        } else if raw.starts_with("system.") {
            "names starting with `system.` are reserved by MongoDB".to_owned()
        } else if raw == CHECKPOINTS {
            format!("`{CHECKPOINTS}` holds the read store's checkpoints")
        } else if database.len() + 1 + raw.len() > MAX_NAMESPACE_BYTES {
            format!("the namespace `{database}.<name>` would be longer than {MAX_NAMESPACE_BYTES} bytes")
        } else {
            return Ok(Self(raw.to_owned()));
        };
        let shown: String = raw.chars().take(64).collect();
        Err(ReadStoreError::InvalidQuery(format!(
            "read-model collection name {shown:?} cannot be a MongoDB collection: {reason}"
        )))
    }

    /// The name, as MongoDB sees it.
    pub(super) fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for CollectionName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_projections_collection_names_are_accepted() {
        for ok in ["products", "catalog_stock", "parked_messages", "saga_order_fulfilment", "a.b", "Ünïcode x", "c"] {
            assert_eq!(CollectionName::parse(ok, "emporium").map(|n| n.to_string()).ok().as_deref(), Some(ok));
        }
    }

    #[test]
    fn names_mongodb_or_its_drivers_cannot_take_are_refused() {
        for bad in ["", "a$b", "$cmd", "a\0b", ".a", "a.", "a..b", "system.views", "system.x"] {
            assert!(matches!(CollectionName::parse(bad, "emporium"), Err(ReadStoreError::InvalidQuery(_))), "{bad:?}");
        }
    }

    #[test]
    fn the_checkpoint_collection_cannot_be_a_read_model() {
        let error = CollectionName::parse(CHECKPOINTS, "emporium").unwrap_err();
        assert!(error.to_string().contains("checkpoints"), "{error}");
    }

    #[test]
    fn the_whole_namespace_must_fit_in_255_bytes() {
        let database = "emporium";
        let longest = "x".repeat(MAX_NAMESPACE_BYTES - database.len() - 1);
        assert!(CollectionName::parse(&longest, database).is_ok());
        assert!(CollectionName::parse(&format!("{longest}x"), database).is_err());
    }
}
