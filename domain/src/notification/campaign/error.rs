//! Why a campaign command was refused.

/// A refused campaign command; [`CampaignError::code`] gives its stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CampaignError {
    /// A campaign with this id was requested before.
    #[error("campaign is already requested")]
    AlreadyRequested,
    /// No campaign has been requested in this stream.
    #[error("campaign not found")]
    NotFound,
    /// The campaign was fanned out before.
    #[error("campaign is already dispatched")]
    AlreadyDispatched,
    /// An e-mail without a subject, a subject over 200 characters or several lines,
    /// or an SMS with one.
    #[error("an e-mail campaign needs a one-line subject of 1 to 200 characters; an SMS campaign has none")]
    InvalidSubject,
    /// The body is empty or too long for its channel.
    #[error("the body must be 1 to {max} characters")]
    InvalidBody {
        /// The channel's limit.
        max: usize,
    },
}

impl CampaignError {
    /// The stable, documented code of this refusal.
    pub fn code(&self) -> &'static str {
        match self {
            Self::AlreadyRequested => "campaign.already_requested",
            Self::NotFound => "campaign.not_found",
            Self::AlreadyDispatched => "campaign.already_dispatched",
            Self::InvalidSubject => "campaign.invalid_subject",
            Self::InvalidBody { .. } => "campaign.invalid_body",
        }
    }
}
