//! What callers ask of a campaign.

use chrono::{DateTime, Utc};

use crate::ids::CustomerId;
use crate::notification::id::CampaignId;
use crate::notification::kind::Channel;

/// A request to change one campaign; `campaign_id` names the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CampaignCommand {
    /// Ask for a message to every customer who accepts marketing.
    Request {
        /// The campaign.
        campaign_id: CampaignId,
        /// E-mail (needs a subject) or SMS (has none).
        channel: Channel,
        /// The e-mail subject, 1-200 characters; `None` for SMS.
        subject: Option<String>,
        /// The message, plain text.
        body: String,
        /// The Admin or Manager who asked.
        requested_by: CustomerId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Record that the campaign was fanned out into `recipients` notifications.
    RecordDispatch {
        /// The campaign.
        campaign_id: CampaignId,
        /// How many notifications were queued.
        recipients: u32,
        /// When.
        at: DateTime<Utc>,
    },
}

impl CampaignCommand {
    /// The campaign this command is for, which names its stream.
    pub fn campaign_id(&self) -> CampaignId {
        match self {
            Self::Request { campaign_id, .. } | Self::RecordDispatch { campaign_id, .. } => *campaign_id,
        }
    }
}
