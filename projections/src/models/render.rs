//! Shared shapes of read-model documents and the read-modify-write helper.

use chrono::{DateTime, SecondsFormat, Utc};
use emporium_domain::money::Money;
use emporium_infra::read_store::DocWrite;
use serde_json::{Map, Value, json};

use crate::{Documents, ProjectionError};

/// Money as the API shows it: `{"amount": minor units, "currency": "EUR"}`.
pub(crate) fn money(value: &Money) -> Value {
    json!({ "amount": value.amount(), "currency": value.currency().as_str() })
}

/// A timestamp as fixed-width RFC 3339 in UTC with microseconds, so text order is
/// time order.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Reads a document, lets `change` edit its fields, and returns the put; `None`
/// when the document does not exist.
pub(crate) async fn modify(
    docs: &Documents,
    collection: &str,
    id: &str,
    change: impl FnOnce(&mut Map<String, Value>),
) -> Result<Option<DocWrite>, ProjectionError> {
    let Some(mut doc) = docs.get(collection, id).await? else {
        return Ok(None);
    };
    let Some(fields) = doc.as_object_mut() else {
        return Err(malformed(collection, id, "not a JSON object"));
    };
    change(fields);
    Ok(Some(DocWrite::put(collection, id, doc)))
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
