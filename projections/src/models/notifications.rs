//! The `notifications` read model: each notification's delivery, as
//! `GET /api/v1/notifications/{userId}/history` lists it.
//!
//! Document (key: notification id): `id`, `customer_id`, `kind` (`welcome`,
//! `order_confirmation`, `payment_confirmation`, `shipping_update`, `cancellation`,
//! `refund`, `promotion`), `channel` (`email`, `sms`), `subject`, `status`
//! (`queued`, `sent`, `retrying`, `failed`, `gave_up`), `attempts`, `last_error`,
//! `next_attempt_at`, `created_at`, `sent_at`, `updated_at`, and `history`
//! [`{status, attempt, at, reason}`], one entry per change. The message's address
//! and body stay in the log; a customer's history is a query on `customer_id`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use emporium_domain::Decider;
use emporium_domain::ids::CustomerId;
use emporium_domain::notification::{
    Channel, Notification, NotificationEvent, NotificationId, NotificationKind, NotificationStatus,
};
use emporium_infra::event_store::RecordedEvent;
use emporium_infra::read_store::DocWrite;
use serde::{Deserialize, Serialize};

use super::render::{fixed_time, fixed_time_opt, malformed};
use crate::{Documents, ProjectionError, Projector, decode};

/// The collection.
pub const NOTIFICATIONS: &str = "notifications";

/// Projects notification events into delivery histories.
#[derive(Debug, Clone, Copy, Default)]
pub struct NotificationsProjector;

/// One change of a notification's delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryStep {
    /// The status it took.
    pub status: NotificationStatus,
    /// The attempt it concerned (0 when queued).
    pub attempt: u32,
    /// When.
    #[serde(with = "fixed_time")]
    pub at: DateTime<Utc>,
    /// Why an attempt failed.
    pub reason: Option<String>,
}

/// The stored notification document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationDoc {
    /// The notification (also the document key).
    pub id: NotificationId,
    /// Who it is for.
    pub customer_id: CustomerId,
    /// What it is about.
    pub kind: NotificationKind,
    /// E-mail or SMS.
    pub channel: Channel,
    /// Subject line (e-mail) or a label (SMS).
    pub subject: String,
    /// Where delivery stands.
    pub status: NotificationStatus,
    /// Attempts made.
    pub attempts: u32,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When the next attempt is due (while retrying).
    #[serde(with = "fixed_time_opt")]
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When it was queued.
    #[serde(with = "fixed_time")]
    pub created_at: DateTime<Utc>,
    /// When it was sent.
    #[serde(with = "fixed_time_opt")]
    pub sent_at: Option<DateTime<Utc>>,
    /// When it last changed.
    #[serde(with = "fixed_time")]
    pub updated_at: DateTime<Utc>,
    /// Every change, oldest first.
    pub history: Vec<DeliveryStep>,
}

#[async_trait]
impl Projector for NotificationsProjector {
    fn name(&self) -> &'static str {
        "notifications"
    }

    fn collections(&self) -> &'static [&'static str] {
        &[NOTIFICATIONS]
    }

    async fn project(&self, event: &RecordedEvent, docs: &Documents) -> Result<Vec<DocWrite>, ProjectionError> {
        if event.category() != Notification::CATEGORY {
            return Ok(Vec::new());
        }
        let event: NotificationEvent = decode(event)?;
        let id = event.notification_id().to_string();
        let current = match docs.get(NOTIFICATIONS, &id).await? {
            Some(doc) => Some(
                serde_json::from_value::<NotificationDoc>(doc)
                    .map_err(|e| malformed(NOTIFICATIONS, &id, e.to_string()))?,
            ),
            None => None,
        };
        let Some(next) = apply(current, &event) else {
            // Like the aggregate: reports about a notification never queued change nothing.
            return Ok(Vec::new());
        };
        let doc = serde_json::to_value(next).map_err(|e| malformed(NOTIFICATIONS, &id, e.to_string()))?;
        Ok(vec![DocWrite::put(NOTIFICATIONS, id, doc)])
    }
}

/// Folds one event into the document.
pub fn apply(current: Option<NotificationDoc>, event: &NotificationEvent) -> Option<NotificationDoc> {
    if let NotificationEvent::NotificationQueued(e) = event {
        return Some(current.unwrap_or_else(|| NotificationDoc {
            id: e.notification_id,
            customer_id: e.customer_id,
            kind: e.kind,
            channel: e.channel,
            subject: e.subject.clone(),
            status: NotificationStatus::Queued,
            attempts: 0,
            last_error: None,
            next_attempt_at: None,
            created_at: e.at,
            sent_at: None,
            updated_at: e.at,
            history: vec![DeliveryStep { status: NotificationStatus::Queued, attempt: 0, at: e.at, reason: None }],
        }));
    }
    let mut doc = current?;
    let step = match event {
        NotificationEvent::NotificationQueued(_) => return Some(doc),
        NotificationEvent::NotificationSent(e) => {
            doc.status = NotificationStatus::Sent;
            doc.attempts = e.attempt;
            doc.sent_at = Some(e.at);
            doc.next_attempt_at = None;
            DeliveryStep { status: NotificationStatus::Sent, attempt: e.attempt, at: e.at, reason: None }
        }
        NotificationEvent::NotificationFailed(e) => {
            doc.status = NotificationStatus::Failed;
            doc.attempts = e.attempt;
            doc.last_error = Some(e.reason.clone());
            doc.next_attempt_at = None;
            DeliveryStep {
                status: NotificationStatus::Failed,
                attempt: e.attempt,
                at: e.at,
                reason: Some(e.reason.clone()),
            }
        }
        NotificationEvent::NotificationRetryScheduled(e) => {
            doc.status = NotificationStatus::Retrying;
            doc.next_attempt_at = Some(e.retry_at);
            DeliveryStep { status: NotificationStatus::Retrying, attempt: e.next_attempt, at: e.at, reason: None }
        }
        NotificationEvent::NotificationGaveUp(e) => {
            doc.status = NotificationStatus::GaveUp;
            doc.next_attempt_at = None;
            DeliveryStep { status: NotificationStatus::GaveUp, attempt: e.attempts, at: e.at, reason: None }
        }
    };
    doc.updated_at = event.at();
    doc.history.push(step);
    Some(doc)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use emporium_domain::notification::{
        NotificationFailed, NotificationQueued, NotificationRetryScheduled, NotificationSent, RetryPolicy,
    };

    use super::*;

    #[test]
    fn a_delivery_with_a_retry_reads_as_its_history() {
        let id = NotificationId::from_uuid(uuid::Uuid::from_u128(1));
        let at = |s: i64| DateTime::from_timestamp(1_700_000_000 + s, 0).unwrap();
        let events = [
            NotificationEvent::NotificationQueued(NotificationQueued {
                notification_id: id,
                kind: NotificationKind::Welcome,
                channel: Channel::Email,
                customer_id: CustomerId::from_uuid(uuid::Uuid::from_u128(2)),
                to: "ann@example.com".into(),
                subject: "Welcome".into(),
                text: "Hello".into(),
                html: None,
                retry: RetryPolicy::default(),
                at: at(0),
            }),
            NotificationEvent::NotificationFailed(NotificationFailed {
                notification_id: id,
                attempt: 1,
                reason: "connection refused".into(),
                permanent: false,
                at: at(1),
            }),
            NotificationEvent::NotificationRetryScheduled(NotificationRetryScheduled {
                notification_id: id,
                next_attempt: 2,
                retry_at: at(2),
                at: at(1),
            }),
        ];
        let retrying = events.iter().fold(None, apply).unwrap();
        let json = serde_json::to_value(&retrying).unwrap();
        assert_eq!((json["status"].as_str(), json["attempts"].as_u64()), (Some("retrying"), Some(1)));
        assert_eq!(json["next_attempt_at"], "2023-11-14T22:13:22.000000Z");
        assert_eq!(json["kind"], "welcome");
        assert!(json.get("to").is_none(), "the address stays in the log");
        let sent = apply(
            Some(retrying),
            &NotificationEvent::NotificationSent(NotificationSent { notification_id: id, attempt: 2, at: at(2) }),
        )
        .unwrap();
        let statuses: Vec<_> = sent.history.iter().map(|s| s.status.as_str()).collect();
        assert_eq!(statuses, ["queued", "failed", "retrying", "sent"]);
        assert_eq!((sent.attempts, sent.sent_at, sent.next_attempt_at), (2, Some(at(2)), None));
        assert_eq!(serde_json::from_value::<NotificationDoc>(serde_json::to_value(&sent).unwrap()).unwrap(), sent);
    }
}
