//! The facts recorded about a campaign.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::event::DomainEvent;
use crate::ids::CustomerId;
use crate::notification::id::CampaignId;
use crate::notification::kind::Channel;

/// Something that happened to a campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "event_type", content = "data")]
pub enum CampaignEvent {
    /// A campaign was asked for.
    CampaignRequested(CampaignRequested),
    /// It was fanned out into notifications.
    CampaignDispatched(CampaignDispatched),
}

impl DomainEvent for CampaignEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::CampaignRequested(_) => "CampaignRequested",
            Self::CampaignDispatched(_) => "CampaignDispatched",
        }
    }
}

impl CampaignEvent {
    /// The campaign whose stream holds this event.
    pub fn campaign_id(&self) -> CampaignId {
        match self {
            Self::CampaignRequested(e) => e.campaign_id,
            Self::CampaignDispatched(e) => e.campaign_id,
        }
    }
}

/// A campaign was asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CampaignRequested {
    /// The campaign.
    pub campaign_id: CampaignId,
    /// E-mail or SMS.
    pub channel: Channel,
    /// The e-mail subject (`None` for SMS).
    pub subject: Option<String>,
    /// The message, plain text.
    pub body: String,
    /// The Admin or Manager who asked.
    pub requested_by: CustomerId,
    /// When.
    pub at: DateTime<Utc>,
}

/// A campaign was fanned out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CampaignDispatched {
    /// The campaign.
    pub campaign_id: CampaignId,
    /// How many notifications were queued.
    pub recipients: u32,
    /// When.
    pub at: DateTime<Utc>,
}
