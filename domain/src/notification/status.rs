//! A notification's delivery life cycle.

use serde::{Deserialize, Serialize};

/// Where a notification's delivery stands.
///
/// `queued → sent`, or `queued → retrying → … → sent | gave_up`; `failed` is final
/// too: the channel refused the message for good (a bad number), so retrying would
/// not help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum NotificationStatus {
    /// Waiting for its first attempt.
    Queued,
    /// Delivered to the channel; final.
    Sent,
    /// An attempt failed; another is scheduled.
    Retrying,
    /// Refused for good by the channel; final.
    Failed,
    /// Every attempt failed; final.
    GaveUp,
}

impl NotificationStatus {
    /// The status's wire name (`gave_up`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sent => "sent",
            Self::Retrying => "retrying",
            Self::Failed => "failed",
            Self::GaveUp => "gave_up",
        }
    }

    /// True once nothing more will be attempted.
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Sent | Self::Failed | Self::GaveUp)
    }
}

impl std::fmt::Display for NotificationStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
