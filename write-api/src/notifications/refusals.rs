//! Campaign refusals as HTTP: invalid subject or body are 400 on that field,
//! repeats are 409.

use emporium_domain::notification::CampaignError;

use crate::errors::{DomainRefusal, Refusal};

impl DomainRefusal for CampaignError {
    fn code(&self) -> &'static str {
        CampaignError::code(self)
    }

    fn refusal(&self) -> Refusal {
        match self {
            Self::InvalidSubject | Self::InvalidBody { .. } => Refusal::Invalid,
            Self::NotFound => Refusal::NotFound,
            Self::AlreadyRequested | Self::AlreadyDispatched => Refusal::Conflict,
        }
    }

    fn field(&self) -> &'static str {
        match self {
            Self::InvalidSubject => "subject",
            Self::InvalidBody { .. } => "body",
            _ => "",
        }
    }
}
