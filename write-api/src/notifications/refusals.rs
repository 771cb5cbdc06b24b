//! Campaign refusals as HTTP: invalid subject or body are 400 on that field,
//! repeats are 409.

use emporium_domain::notification::CampaignError;

use crate::errors::DomainRefusal;

impl DomainRefusal for CampaignError {
    fn code(&self) -> &'static str {
        CampaignError::code(self)
    }

    fn field(&self) -> &'static str {
        match self {
            Self::InvalidSubject => "subject",
            Self::InvalidBody { .. } => "body",
            _ => "",
        }
    }
}
