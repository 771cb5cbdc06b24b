//! Folds notification events into the state; never fails.

use super::event::NotificationEvent;
use super::state::{NotificationRecord, NotificationState};
use super::status::NotificationStatus;

/// Applies one event to a notification.
pub(super) fn evolve(state: NotificationState, event: &NotificationEvent) -> NotificationState {
    match (state, event) {
        (NotificationState::Absent, NotificationEvent::NotificationQueued(queued)) => {
            NotificationState::Present(NotificationRecord {
                notification_id: queued.notification_id,
                kind: queued.kind,
                channel: queued.channel,
                customer_id: queued.customer_id,
                to: queued.to.clone(),
                subject: queued.subject.clone(),
                text: queued.text.clone(),
                html: queued.html.clone(),
                retry: queued.retry,
                status: NotificationStatus::Queued,
                attempts: 0,
                retry_at: None,
                last_error: None,
                queued_at: queued.at,
                sent_at: None,
                updated_at: queued.at,
            })
        }
        // Only NotificationQueued can start a stream; anything else before it changes nothing.
        (NotificationState::Absent, _) => NotificationState::Absent,
        (NotificationState::Present(record), event) => NotificationState::Present(apply(record, event)),
    }
}

fn apply(mut record: NotificationRecord, event: &NotificationEvent) -> NotificationRecord {
    match event {
        // A second NotificationQueued cannot be decided; replaying one changes nothing.
        NotificationEvent::NotificationQueued(_) => return record,
        NotificationEvent::NotificationSent(sent) => {
            record.status = NotificationStatus::Sent;
            record.attempts = sent.attempt;
            record.retry_at = None;
            record.sent_at = Some(sent.at);
        }
        NotificationEvent::NotificationFailed(failed) => {
            // A transient failure is followed by a retry or giving up, in the same append.
            record.status = NotificationStatus::Failed;
            record.attempts = failed.attempt;
            record.retry_at = None;
            record.last_error = Some(failed.reason.clone());
        }
        NotificationEvent::NotificationRetryScheduled(scheduled) => {
            record.status = NotificationStatus::Retrying;
            record.retry_at = Some(scheduled.retry_at);
        }
        NotificationEvent::NotificationGaveUp(_) => {
            record.status = NotificationStatus::GaveUp;
            record.retry_at = None;
        }
    }
    record.updated_at = event.at();
    record
}
