//! What the notification write endpoints answer.

use serde::Serialize;

/// A campaign accepted for delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CampaignAccepted {
    /// The campaign's id.
    pub campaign_id: String,
    /// `email` or `sms`.
    pub channel: String,
    /// `dispatched` once one notification per recipient is queued; `pending` when
    /// the dispatcher has not fanned it out yet (it will).
    pub status: String,
    /// How many notifications were queued (customers who opted in, with a phone for
    /// SMS); `null` while pending.
    pub queued: Option<u32>,
    /// Global position of the last event written; read the history with
    /// `X-Emporium-Min-Position` set to it.
    pub position: u64,
}

/// A customer opted out of marketing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Unsubscribed {
    /// Always true: the customer receives no more campaigns.
    pub unsubscribed: bool,
    /// Global position of the customer's last event.
    pub position: u64,
}
