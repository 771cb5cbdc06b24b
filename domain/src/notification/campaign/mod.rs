//! Promotional campaigns: an Admin or Manager asks for one message to every customer
//! who accepts marketing; the notification dispatcher fans it out and records how
//! many notifications it queued.
//!
//! The audience is decided where the campaign meets the log (the customers opted in
//! at that point), so replaying the log fans out to the same people. Layout:
//! [`CampaignCommand`] (command.rs), [`CampaignEvent`] (event.rs), [`CampaignState`]
//! (state.rs) folded by `evolve` (evolve.rs), the rules in `decide` (decide.rs),
//! [`CampaignError`] (error.rs).

mod command;
mod decide;
mod error;
mod event;
mod evolve;
mod state;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod properties;
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;

pub use command::CampaignCommand;
pub use error::CampaignError;
pub use event::{CampaignDispatched, CampaignEvent, CampaignRequested};
pub use state::{CampaignRecord, CampaignState};

use super::id::CampaignId;
use crate::decider::Decider;

/// Longest campaign e-mail body, in characters.
pub const MAX_EMAIL_BODY_LEN: usize = 20_000;
/// Longest campaign SMS body, in characters (room is left for the unsubscribe link).
pub const MAX_SMS_BODY_LEN: usize = 1_200;

/// The campaign aggregate; streams are `campaign-<CampaignId>`.
pub struct Campaign;

impl Campaign {
    /// The stream holding a campaign, `campaign-<id>`.
    pub fn stream_id(id: &CampaignId) -> String {
        format!("{}-{}", Self::CATEGORY, id)
    }
}

impl Decider for Campaign {
    const CATEGORY: &'static str = "campaign";
    type State = CampaignState;
    type Command = CampaignCommand;
    type Event = CampaignEvent;
    type Error = CampaignError;

    fn decide(state: &CampaignState, command: &CampaignCommand) -> Result<Vec<CampaignEvent>, CampaignError> {
        decide::decide(state, command)
    }

    fn evolve(state: CampaignState, event: &CampaignEvent) -> CampaignState {
        evolve::evolve(state, event)
    }
}
