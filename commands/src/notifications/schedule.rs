//! When each undelivered notification is due: a document per notification in
//! [`DELIVERIES`] with `due_ms` (epoch milliseconds), kept from the notification
//! events of the log (queued: due now; retry scheduled: due then; sent, refused for
//! good or given up: gone), so the timer can ask for due work with a numeric range
//! and a restart finds every pending retry.

use chrono::{DateTime, Utc};
use emporium_domain::notification::{NotificationEvent, NotificationId};
use emporium_infra::read_store::{Query, ReadStore, SortDirection};
use serde::{Deserialize, Serialize};

use super::error::DispatchError;
use super::overlay::Overlay;

/// Pending deliveries, keyed by notification id.
pub const DELIVERIES: &str = "notification_deliveries";

/// A pending delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// The notification (also the document key).
    pub id: NotificationId,
    /// When the next attempt is due, epoch milliseconds.
    pub due_ms: i64,
}

/// Follows a notification event in the schedule.
pub(super) fn follow(view: &mut Overlay, event: &NotificationEvent) -> Result<(), DispatchError> {
    let id = event.notification_id();
    let key = id.to_string();
    match event {
        NotificationEvent::NotificationQueued(e) => {
            view.put(DELIVERIES, &key, &Delivery { id, due_ms: e.at.timestamp_millis() })
        }
        NotificationEvent::NotificationRetryScheduled(e) => {
            view.put(DELIVERIES, &key, &Delivery { id, due_ms: e.retry_at.timestamp_millis() })
        }
        NotificationEvent::NotificationFailed(e) if !e.permanent => Ok(()),
        NotificationEvent::NotificationFailed(_)
        | NotificationEvent::NotificationSent(_)
        | NotificationEvent::NotificationGaveUp(_) => {
            view.delete(DELIVERIES, &key);
            Ok(())
        }
    }
}

/// The deliveries due at `now`, earliest first, at most `limit`.
pub(super) async fn due(reads: &dyn ReadStore, now: DateTime<Utc>, limit: u64) -> Result<Vec<Delivery>, DispatchError> {
    let query = Query::new()
        .range("due_ms", None, Some(now.timestamp_millis() as f64))
        .sort("due_ms", SortDirection::Asc)
        .page(0, limit);
    let page = reads.query(DELIVERIES, &query).await?;
    page.items
        .into_iter()
        .map(|doc| {
            serde_json::from_value(doc).map_err(|source| DispatchError::Document {
                collection: DELIVERIES.to_owned(),
                id: "due".to_owned(),
                source,
            })
        })
        .collect()
}
