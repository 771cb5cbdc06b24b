//! What callers ask of a notification.

use chrono::{DateTime, Utc};

use super::id::NotificationId;
use super::kind::{Channel, NotificationKind};
use super::retry::RetryPolicy;
use crate::ids::CustomerId;

/// A request to change one notification; `notification_id` names the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotificationCommand {
    /// Record a rendered message, ready for its first attempt.
    Queue {
        /// The notification (derived from its cause).
        notification_id: NotificationId,
        /// What it is about.
        kind: NotificationKind,
        /// How it travels.
        channel: Channel,
        /// Who it is for.
        customer_id: CustomerId,
        /// The address: an e-mail address, or a phone number for SMS.
        to: String,
        /// Subject line (e-mail), or a short label (SMS); 1-200 characters.
        subject: String,
        /// The plain-text part, or the whole SMS.
        text: String,
        /// The HTML part (e-mail only).
        html: Option<String>,
        /// How failed attempts are retried.
        retry: RetryPolicy,
        /// When.
        at: DateTime<Utc>,
    },
    /// Record that attempt number `attempt` delivered the message (whenever it ran).
    RecordSent {
        /// The notification.
        notification_id: NotificationId,
        /// The attempt (1-based): one more than the attempts recorded so far.
        attempt: u32,
        /// When.
        at: DateTime<Utc>,
    },
    /// Record that attempt number `attempt` failed; refused before the attempt was due.
    RecordFailure {
        /// The notification.
        notification_id: NotificationId,
        /// The attempt (1-based): one more than the attempts recorded so far.
        attempt: u32,
        /// What the channel said (trimmed to [`super::MAX_REASON_LEN`]).
        reason: String,
        /// True when retrying cannot help (the channel refused the recipient).
        permanent: bool,
        /// When.
        at: DateTime<Utc>,
    },
}

impl NotificationCommand {
    /// The notification this command is for, which names its stream.
    pub fn notification_id(&self) -> NotificationId {
        match self {
            Self::Queue { notification_id, .. }
            | Self::RecordSent { notification_id, .. }
            | Self::RecordFailure { notification_id, .. } => *notification_id,
        }
    }
}
