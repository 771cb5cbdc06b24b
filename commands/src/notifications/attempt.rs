//! How one delivery attempt went, kept between sending it (`deliver`) and recording it
//! (the dispatcher holds outcomes whose recording failed until the next round).

use chrono::{DateTime, Utc};
use emporium_infra::event_store::EventMetadata;

/// How an attempt went, kept until it is recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Outcome {
    /// The attempt's number.
    pub attempt: u32,
    /// Sent, or why not.
    pub result: Result<(), Failure>,
    /// When it ended.
    pub at: DateTime<Utc>,
    /// Correlation of the notification's cause.
    pub metadata: EventMetadata,
}

/// Why an attempt failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Failure {
    /// What the channel said.
    pub reason: String,
    /// True when retrying cannot help.
    pub permanent: bool,
}
