//! A notification as the history shows it.

use emporium_api_kit::ApiError;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One change of a notification's delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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
        serde_json::from_value(doc).map_err(|error| {
            tracing::error!(%error, "notifications document has an unexpected shape");
            ApiError::internal(&error)
        })
    }
}
