//! Why a notification command was refused.

use super::status::NotificationStatus;

/// A refused notification command; [`NotificationError::code`] gives its stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotificationError {
    /// A notification with this id was queued before (the same cause, seen again).
    #[error("notification is already queued")]
    AlreadyQueued,
    /// No notification has been queued in this stream.
    #[error("notification not found")]
    NotFound,
    /// The notification was sent, refused for good, or given up on.
    #[error("notification is already {0}")]
    AlreadyFinished(NotificationStatus),
    /// The attempt is not the next one (a stale or repeated report).
    #[error("attempt {got} is not the next attempt ({expected})")]
    AttemptMismatch {
        /// The next attempt's number.
        expected: u32,
        /// The number reported.
        got: u32,
    },
    /// A failure reported before the next attempt was due.
    #[error("the next attempt is not due yet")]
    NotDue,
    /// The address is not an e-mail address (e-mail) or phone number (SMS).
    #[error("invalid recipient address")]
    InvalidRecipient,
    /// The subject is empty, longer than 200 characters, or spans lines.
    #[error("the subject must be one line of 1 to 200 characters")]
    InvalidSubject,
    /// The body is empty or too long for its channel, or an SMS has an HTML part.
    #[error("the message body is empty or too long for its channel")]
    InvalidBody,
    /// The retry policy is out of bounds.
    #[error("invalid retry policy")]
    InvalidRetryPolicy,
}

impl NotificationError {
    /// The stable, documented code of this refusal.
    pub fn code(&self) -> &'static str {
        match self {
            Self::AlreadyQueued => "notification.already_queued",
            Self::NotFound => "notification.not_found",
            Self::AlreadyFinished(_) => "notification.already_finished",
            Self::AttemptMismatch { .. } => "notification.attempt_mismatch",
            Self::NotDue => "notification.not_due",
            Self::InvalidRecipient => "notification.invalid_recipient",
            Self::InvalidSubject => "notification.invalid_subject",
            Self::InvalidBody => "notification.invalid_body",
            Self::InvalidRetryPolicy => "notification.invalid_retry_policy",
        }
    }
}
