//! The delivery rules: what each command may do given the notification's state.

use chrono::{DateTime, Utc};

use super::command::NotificationCommand;
use super::error::NotificationError;
use super::event::{
    NotificationEvent, NotificationFailed, NotificationGaveUp, NotificationQueued, NotificationRetryScheduled,
    NotificationSent,
};
use super::id::NotificationId;
use super::kind::Channel;
use super::retry::RetryPolicy;
use super::state::{NotificationRecord, NotificationState};
use super::{MAX_EMAIL_TEXT_LEN, MAX_HTML_LEN, MAX_REASON_LEN, MAX_SMS_LEN, MAX_SUBJECT_LEN};
use crate::customer::Phone;
use crate::values::Email;

/// What a failure is recorded as when the channel said nothing.
const UNKNOWN_REASON: &str = "unknown error";

/// Checks a command against the notification and returns the events it causes.
pub(super) fn decide(
    state: &NotificationState,
    command: &NotificationCommand,
) -> Result<Vec<NotificationEvent>, NotificationError> {
    match command {
        NotificationCommand::Queue {
            notification_id,
            kind,
            channel,
            customer_id,
            to,
            subject,
            text,
            html,
            retry,
            at,
        } => {
            if state.notification().is_some() {
                return Err(NotificationError::AlreadyQueued);
            }
            Ok(vec![NotificationEvent::NotificationQueued(NotificationQueued {
                notification_id: *notification_id,
                kind: *kind,
                channel: *channel,
                customer_id: *customer_id,
                to: recipient(*channel, to)?,
                subject: valid_subject(subject)?,
                text: valid_text(*channel, text)?,
                html: valid_html(*channel, html.as_deref())?,
                retry: retry.validate()?,
                at: *at,
            })])
        }
        NotificationCommand::RecordSent { notification_id, attempt, at } => {
            // A delivery is a fact even when it happened before the retry was due
            // (two senders raced): it is recorded, never refused for its timing.
            next_attempt(state, *attempt)?;
            Ok(vec![NotificationEvent::NotificationSent(NotificationSent {
                notification_id: *notification_id,
                attempt: *attempt,
                at: *at,
            })])
        }
        NotificationCommand::RecordFailure { notification_id, attempt, reason, permanent, at } => {
            let record = next_attempt(state, *attempt)?;
            if !record.is_due(*at) {
                return Err(NotificationError::NotDue);
            }
            Ok(failure(record, *notification_id, *attempt, reason, *permanent, *at))
        }
    }
}

/// The notification, if `attempt` is the next attempt it is waiting for.
fn next_attempt(state: &NotificationState, attempt: u32) -> Result<&NotificationRecord, NotificationError> {
    let record = state.notification().ok_or(NotificationError::NotFound)?;
    if record.status.is_final() {
        return Err(NotificationError::AlreadyFinished(record.status));
    }
    if attempt != record.next_attempt() {
        return Err(NotificationError::AttemptMismatch { expected: record.next_attempt(), got: attempt });
    }
    Ok(record)
}

/// A failed attempt, then: nothing more (permanent), giving up (out of attempts), or
/// the next attempt after the policy's back-off.
fn failure(
    record: &NotificationRecord,
    notification_id: NotificationId,
    attempt: u32,
    reason: &str,
    permanent: bool,
    at: DateTime<Utc>,
) -> Vec<NotificationEvent> {
    let failed = NotificationEvent::NotificationFailed(NotificationFailed {
        notification_id,
        attempt,
        reason: bounded_reason(reason),
        permanent,
        at,
    });
    if permanent {
        return vec![failed];
    }
    let policy: RetryPolicy = record.retry;
    let next = if attempt >= policy.max_attempts {
        NotificationEvent::NotificationGaveUp(NotificationGaveUp { notification_id, attempts: attempt, at })
    } else {
        let delay = chrono::Duration::from_std(policy.delay_after(attempt)).unwrap_or(chrono::Duration::MAX);
        NotificationEvent::NotificationRetryScheduled(NotificationRetryScheduled {
            notification_id,
            next_attempt: attempt + 1,
            retry_at: at.checked_add_signed(delay).unwrap_or(DateTime::<Utc>::MAX_UTC),
            at,
        })
    };
    vec![failed, next]
}

fn recipient(channel: Channel, to: &str) -> Result<String, NotificationError> {
    match channel {
        Channel::Email => Email::parse(to).map(String::from).map_err(|_| NotificationError::InvalidRecipient),
        Channel::Sms => Phone::parse(to).map(String::from).map_err(|_| NotificationError::InvalidRecipient),
    }
}

fn valid_subject(subject: &str) -> Result<String, NotificationError> {
    let subject = subject.trim();
    let valid =
        !subject.is_empty() && subject.chars().count() <= MAX_SUBJECT_LEN && !subject.chars().any(char::is_control);
    if valid { Ok(subject.to_owned()) } else { Err(NotificationError::InvalidSubject) }
}

fn valid_text(channel: Channel, text: &str) -> Result<String, NotificationError> {
    let max = match channel {
        Channel::Email => MAX_EMAIL_TEXT_LEN,
        Channel::Sms => MAX_SMS_LEN,
    };
    let length = text.chars().count();
    if text.trim().is_empty() || length > max { Err(NotificationError::InvalidBody) } else { Ok(text.to_owned()) }
}

fn valid_html(channel: Channel, html: Option<&str>) -> Result<Option<String>, NotificationError> {
    match (channel, html) {
        (_, None) => Ok(None),
        (Channel::Email, Some(html)) if !html.trim().is_empty() && html.chars().count() <= MAX_HTML_LEN => {
            Ok(Some(html.to_owned()))
        }
        _ => Err(NotificationError::InvalidBody),
    }
}

/// The channel's words, on one line and at most [`MAX_REASON_LEN`] characters.
fn bounded_reason(reason: &str) -> String {
    let one_line: String = reason.chars().map(|c| if c.is_control() { ' ' } else { c }).take(MAX_REASON_LEN).collect();
    let trimmed = one_line.trim();
    if trimmed.is_empty() { UNKNOWN_REASON.to_owned() } else { trimmed.to_owned() }
}
