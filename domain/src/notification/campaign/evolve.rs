//! Folds campaign events into the state; never fails.

use super::event::CampaignEvent;
use super::state::{CampaignRecord, CampaignState};

/// Applies one event to a campaign.
pub(super) fn evolve(state: CampaignState, event: &CampaignEvent) -> CampaignState {
    match (state, event) {
        (CampaignState::Absent, CampaignEvent::CampaignRequested(e)) => CampaignState::Present(CampaignRecord {
            campaign_id: e.campaign_id,
            channel: e.channel,
            subject: e.subject.clone(),
            body: e.body.clone(),
            requested_by: e.requested_by,
            requested_at: e.at,
            recipients: None,
            dispatched_at: None,
        }),
        (CampaignState::Absent, _) => CampaignState::Absent,
        (CampaignState::Present(mut record), CampaignEvent::CampaignDispatched(e)) => {
            record.recipients = Some(e.recipients);
            record.dispatched_at = Some(e.at);
            CampaignState::Present(record)
        }
        (present @ CampaignState::Present(_), CampaignEvent::CampaignRequested(_)) => present,
    }
}
