//! Shared shapes of read-model documents and the typed read, write and
//! read-modify-write helpers.

use chrono::{DateTime, SecondsFormat, Utc};
use emporium_infra::read_store::DocWrite;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::{Documents, ProjectionError};

/// A timestamp as fixed-width RFC 3339 in UTC with microseconds, so text order is
/// time order.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// A stored document as its typed shape.
pub(crate) fn parse<T: DeserializeOwned>(collection: &str, id: &str, doc: Value) -> Result<T, ProjectionError> {
    serde_json::from_value(doc).map_err(|e| malformed(collection, id, e.to_string()))
}

/// The put of a typed document.
pub(crate) fn put<T: Serialize>(collection: &str, id: &str, doc: &T) -> Result<DocWrite, ProjectionError> {
    let value = serde_json::to_value(doc).map_err(|e| malformed(collection, id, e.to_string()))?;
    Ok(DocWrite::put(collection, id, value))
}

/// One typed document, `None` when it does not exist.
pub(crate) async fn load<T: DeserializeOwned>(
    docs: &Documents,
    collection: &str,
    id: &str,
) -> Result<Option<T>, ProjectionError> {
    docs.get(collection, id).await?.map(|doc| parse(collection, id, doc)).transpose()
}

/// Reads a typed document, lets `change` edit it, and returns the put; `None` when
/// the document does not exist.
pub(crate) async fn modify<T: Serialize + DeserializeOwned>(
    docs: &Documents,
    collection: &str,
    id: &str,
    change: impl FnOnce(&mut T),
) -> Result<Option<DocWrite>, ProjectionError> {
    let Some(mut doc) = load::<T>(docs, collection, id).await? else {
        return Ok(None);
    };
    change(&mut doc);
    put(collection, id, &doc).map(Some)
}

/// The error for a stored document that is not what its projector wrote.
pub(crate) fn malformed(collection: &str, id: &str, reason: impl Into<String>) -> ProjectionError {
    ProjectionError::Document { collection: collection.to_owned(), id: id.to_owned(), reason: reason.into() }
}

/// Serde for `DateTime<Utc>` fields of typed documents, as [`timestamp`] writes them.
pub(crate) mod fixed_time {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes fixed-width RFC 3339.
    pub(crate) fn serialize<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::timestamp(*at))
    }

    /// Reads any RFC 3339 timestamp.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&text).map(|t| t.with_timezone(&Utc)).map_err(serde::de::Error::custom)
    }
}

/// Serde for optional `DateTime<Utc>` fields of typed documents.
pub(crate) mod fixed_time_opt {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes fixed-width RFC 3339 or null.
    pub(crate) fn serialize<S: Serializer>(at: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => s.serialize_str(&super::timestamp(*at)),
            None => s.serialize_none(),
        }
    }

    /// Reads an RFC 3339 timestamp or null.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|text| {
                DateTime::parse_from_rfc3339(&text).map(|t| t.with_timezone(&Utc)).map_err(serde::de::Error::custom)
            })
            .transpose()
    }
}
