//! Notifications: one aggregate per message to one recipient, tracking its delivery,
//! and promotional campaigns that fan out into such messages.
//!
//! A notification is queued already rendered (subject, text, HTML or the SMS body),
//! so what was sent is in the log. Its id is derived by the caller from the cause
//! (the triggering event, or the campaign and recipient), so a cause seen twice is
//! refused as [`NotificationError::AlreadyQueued`] and never mails twice. Delivery is
//! `queued → sent`, or, after failures, `retrying` with exponential back-off
//! ([`RetryPolicy`]) until `sent` or `gave_up`; a permanent refusal is `failed`.
//! Time comes in with the commands. Layout:
//! - [`NotificationCommand`] (command.rs), [`NotificationEvent`] and its payloads (event.rs);
//! - [`NotificationId`], [`CampaignId`] (id.rs); [`NotificationKind`], [`Channel`] (kind.rs);
//! - [`NotificationStatus`] (status.rs), [`RetryPolicy`] (retry.rs);
//! - [`NotificationState`] (state.rs), folded by `evolve` (evolve.rs);
//! - the rules in `decide` (decide.rs), refusals in [`NotificationError`] (error.rs);
//! - [`campaign`]: promotional campaigns, the `campaign` aggregate.

pub mod campaign;
mod command;
mod decide;
mod error;
mod event;
mod evolve;
mod id;
mod kind;
mod retry;
mod state;
mod status;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod properties;
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;

pub use campaign::{
    Campaign, CampaignCommand, CampaignDispatched, CampaignError, CampaignEvent, CampaignRecord, CampaignRequested,
    CampaignState,
};
pub use command::NotificationCommand;
pub use error::NotificationError;
pub use event::{
    NotificationEvent, NotificationFailed, NotificationGaveUp, NotificationQueued, NotificationRetryScheduled,
    NotificationSent,
};
pub use id::{CampaignId, NotificationId};
pub use kind::{Channel, NotificationKind};
pub use retry::RetryPolicy;
pub use state::{NotificationRecord, NotificationState};
pub use status::NotificationStatus;

use crate::decider::Decider;

/// Longest subject line (or SMS label), in characters.
pub const MAX_SUBJECT_LEN: usize = 200;
/// Longest plain-text part of an e-mail, in characters.
pub const MAX_EMAIL_TEXT_LEN: usize = 100_000;
/// Longest HTML part of an e-mail, in characters.
pub const MAX_HTML_LEN: usize = 400_000;
/// Longest SMS, in characters (ten concatenated segments).
pub const MAX_SMS_LEN: usize = 1_600;
/// Longest failure reason kept, in characters.
pub const MAX_REASON_LEN: usize = 500;

/// The notification aggregate; streams are `notification-<NotificationId>`.
pub struct Notification;

impl Notification {
    /// The stream holding a notification, `notification-<id>`.
    pub fn stream_id(id: &NotificationId) -> String {
        format!("{}-{}", Self::CATEGORY, id)
    }
}

impl Decider for Notification {
    const CATEGORY: &'static str = "notification";
    type State = NotificationState;
    type Command = NotificationCommand;
    type Event = NotificationEvent;
    type Error = NotificationError;

    fn decide(
        state: &NotificationState,
        command: &NotificationCommand,
    ) -> Result<Vec<NotificationEvent>, NotificationError> {
        decide::decide(state, command)
    }

    fn evolve(state: NotificationState, event: &NotificationEvent) -> NotificationState {
        evolve::evolve(state, event)
    }
}
