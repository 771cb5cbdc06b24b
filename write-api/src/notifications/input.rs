//! Campaign request bodies and their checks: every field error is reported at once,
//! before anything is written.

use emporium_api_kit::ErrorCode;
use emporium_api_kit::{ApiError, FieldError};
use emporium_domain::notification::campaign::{MAX_EMAIL_BODY_LEN, MAX_SMS_BODY_LEN};
use emporium_domain::notification::{Channel, MAX_SUBJECT_LEN};
use serde::Deserialize;

/// `POST /api/v1/notifications/email`: a promotional e-mail to every customer who opted in.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailCampaignRequest {
    /// Subject line, one line of 1 to 200 characters.
    #[schema(schema_with = emporium_api_kit::schema_rules::subject)]
    pub subject: String,
    /// The message as plain text, 1 to 20 000 characters; blank lines separate paragraphs.
    #[schema(schema_with = emporium_api_kit::schema_rules::text::<20_000>)]
    pub body: String,
}

/// `POST /api/v1/notifications/sms`: a promotional text to every customer who opted
/// in and gave a phone number.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SmsCampaignRequest {
    /// The text, 1 to 1 200 characters (the unsubscribe link is added).
    #[schema(schema_with = emporium_api_kit::schema_rules::text::<1200>)]
    pub body: String,
}

/// A checked campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCampaign {
    /// E-mail or SMS.
    pub channel: Channel,
    /// The subject (e-mail only), trimmed.
    pub subject: Option<String>,
    /// The body, trimmed.
    pub body: String,
}

impl TryFrom<EmailCampaignRequest> for NewCampaign {
    type Error = ApiError;

    fn try_from(request: EmailCampaignRequest) -> Result<Self, ApiError> {
        let mut errors = Vec::new();
        let subject = request.subject.trim();
        if subject.is_empty() || subject.chars().count() > MAX_SUBJECT_LEN || subject.chars().any(char::is_control) {
            errors.push(FieldError::new(
                "subject",
                ErrorCode::ValidationInvalid,
                format!("must be one line of 1 to {MAX_SUBJECT_LEN} characters"),
            ));
        }
        check_body(&request.body, MAX_EMAIL_BODY_LEN, &mut errors);
        finish(errors, || Self {
            channel: Channel::Email,
            subject: Some(subject.to_owned()),
            body: request.body.trim().to_owned(),
        })
    }
}

impl TryFrom<SmsCampaignRequest> for NewCampaign {
    type Error = ApiError;

    fn try_from(request: SmsCampaignRequest) -> Result<Self, ApiError> {
        let mut errors = Vec::new();
        check_body(&request.body, MAX_SMS_BODY_LEN, &mut errors);
        finish(errors, || Self { channel: Channel::Sms, subject: None, body: request.body.trim().to_owned() })
    }
}

fn check_body(body: &str, max: usize, errors: &mut Vec<FieldError>) {
    let body = body.trim();
    if body.is_empty() || body.chars().count() > max {
        errors.push(FieldError::new("body", ErrorCode::ValidationInvalid, format!("must be 1 to {max} characters")));
    }
}

fn finish(errors: Vec<FieldError>, campaign: impl FnOnce() -> NewCampaign) -> Result<NewCampaign, ApiError> {
    if errors.is_empty() { Ok(campaign()) } else { Err(ApiError::invalid(errors)) }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_field_is_reported() {
        let error =
            NewCampaign::try_from(EmailCampaignRequest { subject: "a\nb".into(), body: " ".into() }).unwrap_err();
        let fields: Vec<_> = error.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["subject", "body"]);
        let too_long =
            NewCampaign::try_from(SmsCampaignRequest { body: "x".repeat(MAX_SMS_BODY_LEN + 1) }).unwrap_err();
        assert_eq!(too_long.errors[0].field, "body");
        assert!(
            serde_json::from_str::<SmsCampaignRequest>(r#"{"body": "x", "subject": "y"}"#).is_err(),
            "unknown fields are refused"
        );
    }

    #[test]
    fn good_campaigns_are_trimmed() {
        let campaign =
            NewCampaign::try_from(EmailCampaignRequest { subject: " Sale ".into(), body: " 20% off \n".into() })
                .unwrap();
        assert_eq!(
            campaign,
            NewCampaign { channel: Channel::Email, subject: Some("Sale".into()), body: "20% off".into() }
        );
    }
}
