//! Given / when / then scenarios for every notification command and refusal.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::*;
use crate::event::DomainEvent;
use crate::ids::CustomerId;
use crate::testing::given;

pub(super) const ID: NotificationId = NotificationId::from_uuid(Uuid::from_u128(0x70));
pub(super) const ANN: CustomerId = CustomerId::from_uuid(Uuid::from_u128(0xA1));

pub(super) fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_750_000_000 + secs, 0).unwrap()
}

pub(super) fn policy() -> RetryPolicy {
    RetryPolicy { max_attempts: 3, first_delay_ms: 1_000, max_delay_ms: 60_000 }
}

pub(super) fn queue() -> NotificationCommand {
    NotificationCommand::Queue {
        notification_id: ID,
        kind: NotificationKind::OrderConfirmation,
        channel: Channel::Email,
        customer_id: ANN,
        to: " Ann@Example.com ".into(),
        subject: " Your order is confirmed ".into(),
        text: "Hello Ann".into(),
        html: Some("<p>Hello Ann</p>".into()),
        retry: policy(),
        at: at(0),
    }
}

fn queued() -> NotificationEvent {
    NotificationEvent::NotificationQueued(NotificationQueued {
        notification_id: ID,
        kind: NotificationKind::OrderConfirmation,
        channel: Channel::Email,
        customer_id: ANN,
        to: "ann@example.com".into(),
        subject: "Your order is confirmed".into(),
        text: "Hello Ann".into(),
        html: Some("<p>Hello Ann</p>".into()),
        retry: policy(),
        at: at(0),
    })
}

fn sent(attempt: u32, secs: i64) -> NotificationEvent {
    NotificationEvent::NotificationSent(NotificationSent { notification_id: ID, attempt, at: at(secs) })
}

fn failed(attempt: u32, secs: i64, permanent: bool) -> NotificationEvent {
    NotificationEvent::NotificationFailed(NotificationFailed {
        notification_id: ID,
        attempt,
        reason: "connection refused".into(),
        permanent,
        at: at(secs),
    })
}

fn retry(next_attempt: u32, secs: i64, retry_secs: i64) -> NotificationEvent {
    NotificationEvent::NotificationRetryScheduled(NotificationRetryScheduled {
        notification_id: ID,
        next_attempt,
        retry_at: at(retry_secs),
        at: at(secs),
    })
}

fn record_sent(attempt: u32, secs: i64) -> NotificationCommand {
    NotificationCommand::RecordSent { notification_id: ID, attempt, at: at(secs) }
}

fn record_failure(attempt: u32, secs: i64) -> NotificationCommand {
    NotificationCommand::RecordFailure {
        notification_id: ID,
        attempt,
        reason: "connection refused".into(),
        permanent: false,
        at: at(secs),
    }
}

#[test]
fn queueing_records_the_rendered_message_with_a_normalised_address() {
    let state = given::<Notification>(&[]).when(queue()).then(&[queued()]);
    let record = state.notification().unwrap();
    assert_eq!(
        (record.status, record.attempts, record.to.as_str()),
        (NotificationStatus::Queued, 0, "ann@example.com")
    );
    assert!(record.is_due(at(0)));
}

#[test]
fn queueing_the_same_notification_again_is_refused() {
    given::<Notification>(&[queued()]).when(queue()).then_error(NotificationError::AlreadyQueued);
}

#[test]
fn queueing_with_a_bad_address_subject_body_or_policy_is_refused() {
    let with = |change: &dyn Fn(&mut NotificationCommand)| {
        let mut command = queue();
        change(&mut command);
        command
    };
    let cases: Vec<(NotificationCommand, NotificationError)> = vec![
        (
            with(&|c| {
                if let NotificationCommand::Queue { to, .. } = c {
                    *to = "not an address".into()
                }
            }),
            NotificationError::InvalidRecipient,
        ),
        (
            with(&|c| {
                if let NotificationCommand::Queue { channel, to, html, .. } = c {
                    *channel = Channel::Sms;
                    *to = "ann@example.com".into();
                    *html = None;
                }
            }),
            NotificationError::InvalidRecipient,
        ),
        (
            with(&|c| {
                if let NotificationCommand::Queue { subject, .. } = c {
                    *subject = "  ".into()
                }
            }),
            NotificationError::InvalidSubject,
        ),
        (
            with(&|c| {
                if let NotificationCommand::Queue { subject, .. } = c {
                    *subject = "a\r\nBcc: x".into()
                }
            }),
            NotificationError::InvalidSubject,
        ),
        (
            with(&|c| {
                if let NotificationCommand::Queue { subject, .. } = c {
                    *subject = "s".repeat(201)
                }
            }),
            NotificationError::InvalidSubject,
        ),
        (
            with(&|c| {
                if let NotificationCommand::Queue { text, .. } = c {
                    *text = "\n".into()
                }
            }),
            NotificationError::InvalidBody,
        ),
        (
            with(&|c| {
                if let NotificationCommand::Queue { channel, to, .. } = c {
                    *channel = Channel::Sms;
                    *to = "+44 20 7946 0958".into();
                }
            }),
            NotificationError::InvalidBody,
        ),
        (
            with(&|c| {
                if let NotificationCommand::Queue { retry, .. } = c {
                    retry.max_attempts = 0
                }
            }),
            NotificationError::InvalidRetryPolicy,
        ),
    ];
    for (command, error) in cases {
        given::<Notification>(&[]).when(command).then_error(error);
    }
}

#[test]
fn a_successful_first_attempt_sends_it() {
    let state = given::<Notification>(&[queued()]).when(record_sent(1, 1)).then(&[sent(1, 1)]);
    let record = state.notification().unwrap();
    assert_eq!((record.status, record.attempts, record.sent_at), (NotificationStatus::Sent, 1, Some(at(1))));
    assert!(!record.is_due(at(100)));
}

#[test]
fn a_failed_attempt_schedules_a_retry_after_the_first_delay() {
    let state =
        given::<Notification>(&[queued()]).when(record_failure(1, 10)).then(&[failed(1, 10, false), retry(2, 10, 11)]);
    let record = state.notification().unwrap();
    assert_eq!(record.status, NotificationStatus::Retrying);
    assert_eq!(record.last_error.as_deref(), Some("connection refused"));
    assert!(!record.is_due(at(10)));
    assert!(record.is_due(at(11)));
}

#[test]
fn later_failures_back_off_exponentially() {
    given::<Notification>(&[queued(), failed(1, 10, false), retry(2, 10, 11)])
        .when(record_failure(2, 11))
        .then(&[failed(2, 11, false), retry(3, 11, 13)]);
}

#[test]
fn the_last_allowed_failure_gives_up() {
    let history = [queued(), failed(1, 10, false), retry(2, 10, 11), failed(2, 11, false), retry(3, 11, 13)];
    let gave_up =
        NotificationEvent::NotificationGaveUp(NotificationGaveUp { notification_id: ID, attempts: 3, at: at(13) });
    let state = given::<Notification>(&history).when(record_failure(3, 13)).then(&[failed(3, 13, false), gave_up]);
    assert_eq!(state.notification().unwrap().status, NotificationStatus::GaveUp);
}

#[test]
fn a_permanent_failure_ends_delivery_without_a_retry() {
    let command = NotificationCommand::RecordFailure {
        notification_id: ID,
        attempt: 1,
        reason: "connection refused".into(),
        permanent: true,
        at: at(10),
    };
    let state = given::<Notification>(&[queued()]).when(command).then(&[failed(1, 10, true)]);
    assert_eq!(state.notification().unwrap().status, NotificationStatus::Failed);
}

#[test]
fn a_failure_reported_before_the_retry_is_due_is_refused() {
    given::<Notification>(&[queued(), failed(1, 10, false), retry(2, 10, 11)])
        .when(record_failure(2, 10))
        .then_error(NotificationError::NotDue);
}

#[test]
fn a_delivery_is_recorded_even_when_it_came_before_the_retry_was_due() {
    given::<Notification>(&[queued(), failed(1, 10, false), retry(2, 10, 11)])
        .when(record_sent(2, 10))
        .then(&[sent(2, 10)]);
}

#[test]
fn a_stale_or_repeated_attempt_is_refused() {
    given::<Notification>(&[queued(), failed(1, 10, false), retry(2, 10, 11)])
        .when(record_sent(1, 20))
        .then_error(NotificationError::AttemptMismatch { expected: 2, got: 1 });
}

#[test]
fn nothing_follows_a_final_status() {
    for (history, status) in [
        (vec![queued(), sent(1, 1)], NotificationStatus::Sent),
        (vec![queued(), failed(1, 1, true)], NotificationStatus::Failed),
    ] {
        given::<Notification>(&history).when(record_sent(2, 50)).then_error(NotificationError::AlreadyFinished(status));
        given::<Notification>(&history)
            .when(record_failure(2, 50))
            .then_error(NotificationError::AlreadyFinished(status));
    }
}

#[test]
fn reports_about_a_notification_never_queued_are_refused() {
    given::<Notification>(&[]).when(record_sent(1, 1)).then_error(NotificationError::NotFound);
    given::<Notification>(&[]).when(record_failure(1, 1)).then_error(NotificationError::NotFound);
}

#[test]
fn failure_reasons_are_kept_on_one_bounded_line() {
    let command = NotificationCommand::RecordFailure {
        notification_id: ID,
        attempt: 1,
        reason: format!("451 try later\r\n{}", "x".repeat(1_000)),
        permanent: false,
        at: at(1),
    };
    let events = given::<Notification>(&[queued()]).when(command).result().unwrap();
    let NotificationEvent::NotificationFailed(failed) = &events[0] else { panic!("{events:?}") };
    assert!(failed.reason.starts_with("451 try later  x"));
    assert_eq!(failed.reason.chars().count(), MAX_REASON_LEN);
    let blank = NotificationCommand::RecordFailure {
        notification_id: ID,
        attempt: 1,
        reason: " ".into(),
        permanent: false,
        at: at(1),
    };
    let events = given::<Notification>(&[queued()]).when(blank).result().unwrap();
    assert!(matches!(&events[0], NotificationEvent::NotificationFailed(f) if f.reason == "unknown error"));
}

#[test]
fn the_stream_id_is_the_category_and_the_id() {
    assert_eq!(Notification::stream_id(&ID), format!("notification-{ID}"));
    assert_eq!(queue().notification_id(), ID);
}

#[test]
fn events_serialize_with_their_type_as_tag_and_round_trip() {
    let events = [
        queued(),
        sent(1, 1),
        failed(1, 1, false),
        retry(2, 1, 2),
        NotificationEvent::NotificationGaveUp(NotificationGaveUp { notification_id: ID, attempts: 3, at: at(1) }),
    ];
    for event in events {
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["event_type"], event.event_type());
        assert_eq!(json["data"]["notification_id"], ID.to_string());
        assert_eq!(event.notification_id(), ID);
        assert_eq!(serde_json::from_value::<NotificationEvent>(json).unwrap(), event);
    }
    let json = serde_json::to_value(queued()).unwrap();
    assert_eq!(
        (json["data"]["kind"].as_str(), json["data"]["channel"].as_str()),
        (Some("order_confirmation"), Some("email"))
    );
}

#[test]
fn wire_names_are_snake_case() {
    let kinds: Vec<String> =
        NotificationKind::ALL.iter().map(|k| serde_json::to_value(k).unwrap().as_str().unwrap().to_owned()).collect();
    assert_eq!(kinds, NotificationKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>());
    assert_eq!(serde_json::to_value(NotificationStatus::GaveUp).unwrap(), "gave_up");
    assert_eq!(Channel::Sms.to_string(), "sms");
}

#[test]
fn error_codes_are_stable_and_namespaced() {
    let errors = [
        (NotificationError::AlreadyQueued, "notification.already_queued"),
        (NotificationError::NotFound, "notification.not_found"),
        (NotificationError::AlreadyFinished(NotificationStatus::Sent), "notification.already_finished"),
        (NotificationError::AttemptMismatch { expected: 1, got: 2 }, "notification.attempt_mismatch"),
        (NotificationError::NotDue, "notification.not_due"),
        (NotificationError::InvalidRecipient, "notification.invalid_recipient"),
        (NotificationError::InvalidSubject, "notification.invalid_subject"),
        (NotificationError::InvalidBody, "notification.invalid_body"),
        (NotificationError::InvalidRetryPolicy, "notification.invalid_retry_policy"),
    ];
    for (error, code) in errors {
        assert_eq!(error.code(), code);
    }
}

#[test]
fn a_retry_far_in_the_future_saturates_instead_of_overflowing() {
    let policy = RetryPolicy { max_attempts: 50, first_delay_ms: 86_400_000, max_delay_ms: 86_400_000 };
    let mut command = queue();
    if let NotificationCommand::Queue { retry, at: queued_at, .. } = &mut command {
        *retry = policy;
        *queued_at = DateTime::<Utc>::MAX_UTC - Duration::hours(1);
    }
    let state = given::<Notification>(&[]).when(command).result().unwrap();
    let late = DateTime::<Utc>::MAX_UTC - Duration::minutes(1);
    let failure = NotificationCommand::RecordFailure {
        notification_id: ID,
        attempt: 1,
        reason: "x".into(),
        permanent: false,
        at: late,
    };
    let events = Notification::decide(&Notification::replay(&state), &failure).unwrap();
    assert!(
        matches!(&events[1], NotificationEvent::NotificationRetryScheduled(r) if r.retry_at == DateTime::<Utc>::MAX_UTC)
    );
}

#[cfg(feature = "schema")]
#[test]
fn every_event_type_has_a_json_schema() {
    let schema = serde_json::to_string(&schemars::schema_for!(NotificationEvent)).unwrap();
    for event_type in [
        "NotificationQueued",
        "NotificationSent",
        "NotificationFailed",
        "NotificationRetryScheduled",
        "NotificationGaveUp",
    ] {
        assert!(schema.contains(event_type), "{event_type} missing from the schema");
    }
}
