//! A notification as the history shows it, built from a `notifications` document
//! ([`NotificationDoc`], `emporium_projections::models::notifications`).

use emporium_api_kit::ApiError;
use emporium_projections::models::notifications::{DeliveryStep, NOTIFICATIONS, NotificationDoc};
use emporium_projections::models::timestamp;
use serde::Serialize;
use serde_json::Value;

use crate::document;

/// One change of a notification's delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DeliveryStepView {
    /// The status it took: `queued`, `sent`, `retrying`, `failed`, `gave_up`.
    pub status: String,
    /// The attempt it concerned (0 when queued; for `retrying`, the next attempt).
    pub attempt: u32,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Why an attempt failed.
    pub reason: Option<String>,
}

/// One notification sent (or being sent) to a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct NotificationView {
    /// The notification's id.
    pub id: String,
    /// `welcome`, `order_confirmation`, `payment_confirmation`, `shipping_update`,
    /// `cancellation`, `refund` or `promotion`.
    pub kind: String,
    /// `email` or `sms`.
    pub channel: String,
    /// Subject line (e-mail) or the start of the text (SMS).
    pub subject: String,
    /// `queued`, `sent`, `retrying` (an attempt failed; another is scheduled),
    /// `failed` (refused for good) or `gave_up` (every attempt failed).
    pub status: String,
    /// Delivery attempts made.
    pub attempts: u32,
    /// Why the last attempt failed, if one did.
    pub last_error: Option<String>,
    /// When the next attempt is due, while retrying.
    pub next_attempt_at: Option<String>,
    /// When it was queued (RFC 3339, UTC).
    pub created_at: String,
    /// When it was sent.
    pub sent_at: Option<String>,
    /// Every change of its delivery, oldest first.
    pub history: Vec<DeliveryStepView>,
}

impl NotificationView {
    /// Reads a `notifications` document; a mismatch is our fault, so a logged 500.
    pub fn from_doc(doc: Value) -> Result<Self, ApiError> {
        let d: NotificationDoc = document::parse(NOTIFICATIONS, doc)?;
        Ok(Self {
            id: d.id.to_string(),
            kind: d.kind.as_str().to_owned(),
            channel: d.channel.as_str().to_owned(),
            subject: d.subject,
            status: d.status.as_str().to_owned(),
            attempts: d.attempts,
            last_error: d.last_error,
            next_attempt_at: d.next_attempt_at.map(timestamp),
            created_at: timestamp(d.created_at),
            sent_at: d.sent_at.map(timestamp),
            history: d.history.iter().map(DeliveryStepView::from).collect(),
        })
    }
}

impl From<&DeliveryStep> for DeliveryStepView {
    fn from(step: &DeliveryStep) -> Self {
        Self {
            status: step.status.as_str().to_owned(),
            attempt: step.attempt,
            at: timestamp(step.at),
            reason: step.reason.clone(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_notification_document_becomes_the_history_entry_without_internal_fields() {
        let doc = serde_json::json!({
            "id": "0196aaaa-0000-7000-8000-000000000001", "customer_id": "0196aaaa-0000-7000-8000-0000000000c1",
            "kind": "order_confirmation", "channel": "email", "subject": "Your order", "status": "retrying",
            "attempts": 1, "last_error": "connection refused", "next_attempt_at": "2025-01-01T00:01:00.000000Z",
            "created_at": "2025-01-01T00:00:00.000000Z", "sent_at": null, "updated_at": "2025-01-01T00:00:30.000000Z",
            "history": [
                {"status": "queued", "attempt": 0, "at": "2025-01-01T00:00:00.000000Z", "reason": null},
                {"status": "failed", "attempt": 1, "at": "2025-01-01T00:00:30.000000Z", "reason": "connection refused"},
            ],
        });
        let view = NotificationView::from_doc(doc).unwrap();
        assert_eq!(
            (view.kind.as_str(), view.channel.as_str(), view.status.as_str()),
            ("order_confirmation", "email", "retrying")
        );
        assert_eq!(view.next_attempt_at.as_deref(), Some("2025-01-01T00:01:00.000000Z"));
        assert_eq!(view.history[1].reason.as_deref(), Some("connection refused"));
        let json = serde_json::to_value(&view).unwrap();
        assert!(json.get("customer_id").is_none() && json.get("updated_at").is_none());
    }
}
