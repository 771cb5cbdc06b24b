//! Given / when / then scenarios for every campaign command and refusal.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::*;
use crate::event::DomainEvent;
use crate::ids::CustomerId;
use crate::notification::{CampaignId, Channel};
use crate::testing::given;

pub(super) const ID: CampaignId = CampaignId::from_uuid(Uuid::from_u128(0xCA));
pub(super) const BOSS: CustomerId = CustomerId::from_uuid(Uuid::from_u128(0xB0));

pub(super) fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_750_000_000 + secs, 0).unwrap()
}

pub(super) fn request(channel: Channel, subject: Option<&str>, body: &str) -> CampaignCommand {
    CampaignCommand::Request {
        campaign_id: ID,
        channel,
        subject: subject.map(Into::into),
        body: body.into(),
        requested_by: BOSS,
        at: at(0),
    }
}

fn requested() -> CampaignEvent {
    CampaignEvent::CampaignRequested(CampaignRequested {
        campaign_id: ID,
        channel: Channel::Email,
        subject: Some("Summer sale".into()),
        body: "Everything -20%".into(),
        requested_by: BOSS,
        at: at(0),
    })
}

fn dispatched(recipients: u32) -> CampaignEvent {
    CampaignEvent::CampaignDispatched(CampaignDispatched { campaign_id: ID, recipients, at: at(1) })
}

#[test]
fn requesting_a_campaign_records_it_trimmed() {
    let state = given::<Campaign>(&[])
        .when(request(Channel::Email, Some(" Summer sale "), " Everything -20%\n"))
        .then(&[requested()]);
    let record = state.campaign().unwrap();
    assert_eq!((record.requested_by, record.recipients), (BOSS, None));
}

#[test]
fn an_sms_campaign_has_a_body_and_no_subject() {
    let events = given::<Campaign>(&[]).when(request(Channel::Sms, None, "Sale today")).result().unwrap();
    assert!(
        matches!(&events[0], CampaignEvent::CampaignRequested(r) if r.subject.is_none() && r.channel == Channel::Sms)
    );
}

#[test]
fn requesting_the_same_campaign_twice_is_refused() {
    given::<Campaign>(&[requested()])
        .when(request(Channel::Email, Some("x"), "y"))
        .then_error(CampaignError::AlreadyRequested);
}

#[test]
fn subjects_and_bodies_are_checked_per_channel() {
    let cases = [
        (request(Channel::Email, None, "body"), CampaignError::InvalidSubject),
        (request(Channel::Email, Some(" "), "body"), CampaignError::InvalidSubject),
        (request(Channel::Email, Some("a\nb"), "body"), CampaignError::InvalidSubject),
        (request(Channel::Sms, Some("subject"), "body"), CampaignError::InvalidSubject),
        (request(Channel::Email, Some("s"), "  "), CampaignError::InvalidBody { max: MAX_EMAIL_BODY_LEN }),
        (
            request(Channel::Sms, None, &"x".repeat(MAX_SMS_BODY_LEN + 1)),
            CampaignError::InvalidBody { max: MAX_SMS_BODY_LEN },
        ),
    ];
    for (command, error) in cases {
        given::<Campaign>(&[]).when(command).then_error(error);
    }
}

#[test]
fn dispatching_records_the_number_of_recipients_once() {
    let state = given::<Campaign>(&[requested()])
        .when(CampaignCommand::RecordDispatch { campaign_id: ID, recipients: 3, at: at(1) })
        .then(&[dispatched(3)]);
    assert_eq!(state.campaign().unwrap().recipients, Some(3));
    given::<Campaign>(&[requested(), dispatched(3)])
        .when(CampaignCommand::RecordDispatch { campaign_id: ID, recipients: 3, at: at(2) })
        .then_error(CampaignError::AlreadyDispatched);
    given::<Campaign>(&[])
        .when(CampaignCommand::RecordDispatch { campaign_id: ID, recipients: 3, at: at(2) })
        .then_error(CampaignError::NotFound);
}

#[test]
fn events_round_trip_with_their_type_as_tag() {
    for event in [requested(), dispatched(2)] {
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["event_type"], event.event_type());
        assert_eq!(event.campaign_id(), ID);
        assert_eq!(serde_json::from_value::<CampaignEvent>(json).unwrap(), event);
    }
    assert_eq!(Campaign::stream_id(&ID), format!("campaign-{ID}"));
}

#[test]
fn error_codes_are_stable_and_namespaced() {
    let errors = [
        (CampaignError::AlreadyRequested, "campaign.already_requested"),
        (CampaignError::NotFound, "campaign.not_found"),
        (CampaignError::AlreadyDispatched, "campaign.already_dispatched"),
        (CampaignError::InvalidSubject, "campaign.invalid_subject"),
        (CampaignError::InvalidBody { max: 1 }, "campaign.invalid_body"),
    ];
    for (error, code) in errors {
        assert_eq!(error.code(), code);
    }
}
