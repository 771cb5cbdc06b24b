//! What a campaign's stream remembers.

use chrono::{DateTime, Utc};

use crate::ids::CustomerId;
use crate::notification::id::CampaignId;
use crate::notification::kind::Channel;

/// A campaign, or the absence of one.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum CampaignState {
    /// Not requested yet.
    #[default]
    Absent,
    /// Requested; maybe dispatched.
    Present(CampaignRecord),
}

impl CampaignState {
    /// The campaign, if it was requested.
    pub fn campaign(&self) -> Option<&CampaignRecord> {
        match self {
            Self::Absent => None,
            Self::Present(record) => Some(record),
        }
    }
}

/// A requested campaign.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignRecord {
    /// The campaign.
    pub campaign_id: CampaignId,
    /// E-mail or SMS.
    pub channel: Channel,
    /// The e-mail subject.
    pub subject: Option<String>,
    /// The message.
    pub body: String,
    /// Who asked.
    pub requested_by: CustomerId,
    /// When.
    pub requested_at: DateTime<Utc>,
    /// How many notifications were queued, once dispatched.
    pub recipients: Option<u32>,
    /// When it was dispatched.
    pub dispatched_at: Option<DateTime<Utc>>,
}
