//! The campaign rules.

use super::command::CampaignCommand;
use super::error::CampaignError;
use super::event::{CampaignDispatched, CampaignEvent, CampaignRequested};
use super::state::CampaignState;
use super::{MAX_EMAIL_BODY_LEN, MAX_SMS_BODY_LEN};
use crate::notification::MAX_SUBJECT_LEN;
use crate::notification::kind::Channel;

/// Checks a command against the campaign and returns the events it causes.
pub(super) fn decide(state: &CampaignState, command: &CampaignCommand) -> Result<Vec<CampaignEvent>, CampaignError> {
    match command {
        CampaignCommand::Request { campaign_id, channel, subject, body, requested_by, at } => {
            if state.campaign().is_some() {
                return Err(CampaignError::AlreadyRequested);
            }
            Ok(vec![CampaignEvent::CampaignRequested(CampaignRequested {
                campaign_id: *campaign_id,
                channel: *channel,
                subject: valid_subject(*channel, subject.as_deref())?,
                body: valid_body(*channel, body)?,
                requested_by: *requested_by,
                at: *at,
            })])
        }
        CampaignCommand::RecordDispatch { campaign_id, recipients, at } => {
            let record = state.campaign().ok_or(CampaignError::NotFound)?;
            if record.recipients.is_some() {
                return Err(CampaignError::AlreadyDispatched);
            }
            Ok(vec![CampaignEvent::CampaignDispatched(CampaignDispatched {
                campaign_id: *campaign_id,
                recipients: *recipients,
                at: *at,
            })])
        }
    }
}

fn valid_subject(channel: Channel, subject: Option<&str>) -> Result<Option<String>, CampaignError> {
    match (channel, subject.map(str::trim)) {
        (Channel::Sms, None) => Ok(None),
        (Channel::Email, Some(subject))
            if !subject.is_empty()
                && subject.chars().count() <= MAX_SUBJECT_LEN
                && !subject.chars().any(char::is_control) =>
        {
            Ok(Some(subject.to_owned()))
        }
        _ => Err(CampaignError::InvalidSubject),
    }
}

fn valid_body(channel: Channel, body: &str) -> Result<String, CampaignError> {
    let max = match channel {
        Channel::Email => MAX_EMAIL_BODY_LEN,
        Channel::Sms => MAX_SMS_BODY_LEN,
    };
    let body = body.trim();
    if body.is_empty() || body.chars().count() > max {
        Err(CampaignError::InvalidBody { max })
    } else {
        Ok(body.to_owned())
    }
}
