//! What a notification's stream remembers.

use chrono::{DateTime, Utc};

use super::id::NotificationId;
use super::kind::{Channel, NotificationKind};
use super::retry::RetryPolicy;
use super::status::NotificationStatus;
use crate::ids::CustomerId;

/// A notification, or the absence of one.
// One state per loaded stream, never a collection of them: the size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, Default, PartialEq)]
pub enum NotificationState {
    /// Not queued yet.
    #[default]
    Absent,
    /// Queued; see its status.
    Present(NotificationRecord),
}

impl NotificationState {
    /// The notification, if it was queued.
    pub fn notification(&self) -> Option<&NotificationRecord> {
        match self {
            Self::Absent => None,
            Self::Present(record) => Some(record),
        }
    }
}

/// A queued notification and how its delivery went.
#[derive(Debug, Clone, PartialEq)]
pub struct NotificationRecord {
    /// The notification.
    pub notification_id: NotificationId,
    /// What it is about.
    pub kind: NotificationKind,
    /// How it travels.
    pub channel: Channel,
    /// Who it is for.
    pub customer_id: CustomerId,
    /// E-mail address or phone number.
    pub to: String,
    /// Subject line or SMS label.
    pub subject: String,
    /// Plain text, or the SMS.
    pub text: String,
    /// The HTML part (e-mail only).
    pub html: Option<String>,
    /// How failed attempts are retried.
    pub retry: RetryPolicy,
    /// Where delivery stands.
    pub status: NotificationStatus,
    /// Attempts made so far.
    pub attempts: u32,
    /// When the next attempt is due (while `retrying`).
    pub retry_at: Option<DateTime<Utc>>,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
    /// When it was queued.
    pub queued_at: DateTime<Utc>,
    /// When it was sent.
    pub sent_at: Option<DateTime<Utc>>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl NotificationRecord {
    /// True when an attempt may be made at `now`: queued, or retrying and due.
    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        match self.status {
            NotificationStatus::Queued => true,
            NotificationStatus::Retrying => self.retry_at.is_none_or(|due| due <= now),
            _ => false,
        }
    }

    /// The number the next attempt gets.
    pub fn next_attempt(&self) -> u32 {
        self.attempts.saturating_add(1)
    }
}
