//! Parked (dead-lettered) messages: an event a consumer failed to handle after its
//! retry policy ran out while its dependencies answered. Parking commits the entry
//! together with the consumer's checkpoint moved past the event, so the rest flows
//! on; `emporium dlq replay` marks entries for their consumer to try again.
//!
//! Entries live in the consumer's own store, collection [`COLLECTION`], owned by the
//! consumer (a projection rebuild clears its entries along with its documents: the
//! replay from position 0 meets the event again).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::event_store::RecordedEvent;
use crate::read_store::{DocWrite, MAX_LIMIT, Query, ReadStore, ReadStoreError};

/// The collection of parked entries in every consumer store.
pub const COLLECTION: &str = "parked_messages";

/// One parked message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParkedMessage {
    /// The consumer that parked it.
    pub consumer: String,
    /// The event's global position.
    pub position: u64,
    /// The event's id.
    pub event_id: uuid::Uuid,
    /// The event's stream.
    pub stream_id: String,
    /// The event's type.
    pub event_type: String,
    /// The last error, with its cause chain.
    pub reason: String,
    /// Attempts made so far (including replays).
    pub attempts: u32,
    /// When it was first parked.
    pub parked_at: DateTime<Utc>,
    /// Set by `dlq replay`; the consumer tries it again and clears the entry on success.
    pub replay_requested: bool,
}

impl ParkedMessage {
    /// An entry for `event`, which `consumer` failed to handle `attempts` times.
    pub fn new(consumer: &str, event: &RecordedEvent, reason: String, attempts: u32) -> Self {
        Self {
            consumer: consumer.to_owned(),
            position: event.global_position,
            event_id: event.event_id,
            stream_id: event.stream_id.clone(),
            event_type: event.event_type.clone(),
            reason,
            attempts,
            parked_at: Utc::now(),
            replay_requested: false,
        }
    }

    /// Its document id: unique per consumer and position.
    pub fn id(&self) -> String {
        id(&self.consumer, self.position)
    }

    /// The write that stores (or replaces) this entry.
    pub fn put(&self) -> Result<DocWrite, ReadStoreError> {
        let doc = serde_json::to_value(self)
            .map_err(ReadStoreError::json(format!("serializing parked message {}", self.id())))?;
        Ok(DocWrite::put(COLLECTION, self.id(), doc))
    }

    /// The write that removes this entry.
    pub fn delete(&self) -> DocWrite {
        DocWrite::delete(COLLECTION, self.id())
    }
}

/// The document id of `consumer`'s entry at `position`.
pub fn id(consumer: &str, position: u64) -> String {
    format!("{consumer}@{position}")
}

/// Every parked entry in `store`, or those of one consumer, oldest position first.
pub async fn list(store: &dyn ReadStore, consumer: Option<&str>) -> Result<Vec<ParkedMessage>, ReadStoreError> {
    let mut query = Query::new().sort("position", crate::read_store::SortDirection::Asc);
    if let Some(consumer) = consumer {
        query = query.filter("consumer", consumer);
    }
    let mut out = Vec::new();
    let mut offset = 0;
    loop {
        let page = store.query(COLLECTION, &query.clone().page(offset, MAX_LIMIT)).await?;
        let fetched = page.items.len() as u64;
        for doc in page.items {
            out.push(serde_json::from_value(doc).map_err(ReadStoreError::json("reading a parked message".to_owned()))?);
        }
        offset += fetched;
        if fetched == 0 || offset >= page.total {
            return Ok(out);
        }
    }
}

/// Entries of `consumer` that `dlq replay` asked to try again.
pub async fn replay_requested(store: &dyn ReadStore, consumer: &str) -> Result<Vec<ParkedMessage>, ReadStoreError> {
    let query = Query::new()
        .filter("consumer", consumer)
        .filter("replay_requested", true)
        .sort("position", crate::read_store::SortDirection::Asc)
        .page(0, MAX_LIMIT);
    let page = store.query(COLLECTION, &query).await?;
    page.items
        .into_iter()
        .map(|doc| serde_json::from_value(doc).map_err(ReadStoreError::json("reading a parked message".to_owned())))
        .collect()
}

/// Marks entries for replay (those of `consumer`, or all; only `position` when given);
/// returns how many were marked. Their consumer retries them within seconds.
pub async fn request_replay(
    store: &dyn ReadStore,
    consumer: Option<&str>,
    position: Option<u64>,
) -> Result<usize, ReadStoreError> {
    let mut marked = 0;
    for mut entry in list(store, consumer).await? {
        if position.is_some_and(|p| p != entry.position) || entry.replay_requested {
            continue;
        }
        entry.replay_requested = true;
        store.write(&entry.consumer.clone(), vec![entry.put()?]).await?;
        marked += 1;
    }
    Ok(marked)
}
