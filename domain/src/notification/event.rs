//! The facts recorded about a notification's delivery.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::id::NotificationId;
use super::kind::{Channel, NotificationKind};
use super::retry::RetryPolicy;
use crate::event::DomainEvent;
use crate::ids::CustomerId;

/// Something that happened to a notification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "event_type", content = "data")]
pub enum NotificationEvent {
    /// The message was rendered and waits for delivery (status `queued`).
    NotificationQueued(NotificationQueued),
    /// An attempt delivered it (status `sent`).
    NotificationSent(NotificationSent),
    /// An attempt failed (status `failed` when permanent).
    NotificationFailed(NotificationFailed),
    /// Another attempt is due later (status `retrying`).
    NotificationRetryScheduled(NotificationRetryScheduled),
    /// Every attempt failed (status `gave_up`).
    NotificationGaveUp(NotificationGaveUp),
}

impl DomainEvent for NotificationEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::NotificationQueued(_) => "NotificationQueued",
            Self::NotificationSent(_) => "NotificationSent",
            Self::NotificationFailed(_) => "NotificationFailed",
            Self::NotificationRetryScheduled(_) => "NotificationRetryScheduled",
            Self::NotificationGaveUp(_) => "NotificationGaveUp",
        }
    }
}

impl NotificationEvent {
    /// The notification whose stream holds this event.
    pub fn notification_id(&self) -> NotificationId {
        match self {
            Self::NotificationQueued(e) => e.notification_id,
            Self::NotificationSent(e) => e.notification_id,
            Self::NotificationFailed(e) => e.notification_id,
            Self::NotificationRetryScheduled(e) => e.notification_id,
            Self::NotificationGaveUp(e) => e.notification_id,
        }
    }

    /// When it happened.
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            Self::NotificationQueued(e) => e.at,
            Self::NotificationSent(e) => e.at,
            Self::NotificationFailed(e) => e.at,
            Self::NotificationRetryScheduled(e) => e.at,
            Self::NotificationGaveUp(e) => e.at,
        }
    }
}

/// A rendered message waits for delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NotificationQueued {
    /// The notification.
    pub notification_id: NotificationId,
    /// What it is about.
    pub kind: NotificationKind,
    /// How it travels.
    pub channel: Channel,
    /// Who it is for.
    pub customer_id: CustomerId,
    /// E-mail address or phone number (personal data).
    pub to: String,
    /// Subject line, or a short label for SMS.
    pub subject: String,
    /// The plain-text part, or the whole SMS (personal data).
    pub text: String,
    /// The HTML part (e-mail only).
    pub html: Option<String>,
    /// How failed attempts are retried.
    pub retry: RetryPolicy,
    /// When.
    pub at: DateTime<Utc>,
}

/// An attempt delivered the message to its channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NotificationSent {
    /// The notification.
    pub notification_id: NotificationId,
    /// Which attempt (1-based).
    pub attempt: u32,
    /// When.
    pub at: DateTime<Utc>,
}

/// An attempt failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NotificationFailed {
    /// The notification.
    pub notification_id: NotificationId,
    /// Which attempt (1-based).
    pub attempt: u32,
    /// What the channel said.
    pub reason: String,
    /// True when the channel refused for good: nothing more is attempted.
    pub permanent: bool,
    /// When.
    pub at: DateTime<Utc>,
}

/// Another attempt is scheduled after a failure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NotificationRetryScheduled {
    /// The notification.
    pub notification_id: NotificationId,
    /// The number the next attempt will have.
    pub next_attempt: u32,
    /// When it is due.
    pub retry_at: DateTime<Utc>,
    /// When it was scheduled.
    pub at: DateTime<Utc>,
}

/// Every allowed attempt failed; nothing more is attempted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NotificationGaveUp {
    /// The notification.
    pub notification_id: NotificationId,
    /// How many attempts were made.
    pub attempts: u32,
    /// When.
    pub at: DateTime<Utc>,
}
