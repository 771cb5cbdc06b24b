//! Delivering due notifications: for each due one (queued, or retrying and due),
//! send it through its channel and record the attempt's outcome on its stream.
//!
//! The notification's own stream is checked right before sending, so a
//! notification already sent (by an earlier round whose outcome the schedule has not
//! caught up with yet) is never sent again. An attempt's outcome is recorded under
//! an id derived from the notification and the attempt number; if recording fails,
//! the outcome is kept in memory and recorded on the next round without sending
//! again. What remains is the classic window of at-least-once delivery: a crash
//! between a successful send and its record sends that message once more after
//! the restart. Mail carries the notification as its [`MessageKey`], so the repeat
//! is the same message: the outbox keeps it once, and over SMTP it has the same
//! `Message-ID` and `Date`. (SMS has no such key; a repeat is a second text.)

use std::sync::PoisonError;

use chrono::{DateTime, Utc};
use emporium_domain::Decider;
use emporium_domain::notification::{
    Channel, Notification, NotificationCommand, NotificationError, NotificationEvent, NotificationId, NotificationKind,
    NotificationRecord,
};
use emporium_infra::codec::decode;
use emporium_infra::event_store::EventMetadata;
use emporium_infra::mailer::{MailMessage, MessageKey};
use emporium_infra::sms::SmsMessage;
use futures::StreamExt;

use super::attempt::{Failure, Outcome};
use super::dispatcher::{ACTOR, Dispatcher, caused_by};
use super::error::DispatchError;
use super::ids;
use super::schedule;
use super::templates::{escape_html, with_unsubscribe_link};

/// Most deliveries looked at per round; the rest wait for the next round.
const PER_ROUND: u64 = 100;
/// Most events a notification stream can hold (a queue, then two per attempt).
const STREAM_PAGE: usize = 256;

/// Sends every notification due at `now`; returns how many were sent.
#[tracing::instrument(skip_all, fields(now = %now))]
pub(super) async fn deliver_due(dispatcher: &Dispatcher, now: DateTime<Utc>) -> Result<usize, DispatchError> {
    let due = schedule::due(dispatcher.reads.as_ref(), now, PER_ROUND).await?;
    // Once a stop is asked for, no new send starts; the ones in flight finish and are
    // recorded (dropping them mid-way could abandon a store transaction).
    let results: Vec<Result<bool, DispatchError>> = futures::stream::iter(due)
        .take_while(|_| std::future::ready(!dispatcher.is_stopping()))
        .map(|delivery| deliver_one(dispatcher, delivery.id, now))
        .buffer_unordered(dispatcher.settings.concurrency.max(1))
        .collect()
        .await;
    let mut sent = 0;
    let mut failure = None;
    for result in results {
        match result {
            Ok(true) => sent += 1,
            Ok(false) => {}
            Err(error) => {
                tracing::warn!(%error, "a delivery could not be recorded; the next round retries");
                failure.get_or_insert(error);
            }
        }
    }
    failure.map_or(Ok(sent), Err)
}

/// Attempts one notification if it is due; `true` when it was sent now.
async fn deliver_one(dispatcher: &Dispatcher, id: NotificationId, now: DateTime<Utc>) -> Result<bool, DispatchError> {
    let unrecorded = dispatcher.unrecorded.lock().unwrap_or_else(PoisonError::into_inner).remove(&id);
    if let Some(outcome) = unrecorded {
        return record(dispatcher, id, outcome).await;
    }
    let stream = dispatcher.handler.store().read_stream(&Notification::stream_id(&id), 1, STREAM_PAGE).await?;
    let Some(first) = stream.first() else { return Ok(false) };
    let metadata = caused_by(first);
    let events: Vec<NotificationEvent> = stream.iter().filter_map(|recorded| decode(recorded).ok()).collect();
    let state = Notification::replay(&events);
    let Some(notification) = state.notification().filter(|n| n.is_due(now)) else { return Ok(false) };
    let attempt = notification.next_attempt();
    let result = send(dispatcher, notification).await;
    if let Err(failure) = &result {
        tracing::warn!(notification_id = %id, attempt, reason = %failure.reason, permanent = failure.permanent, "delivery failed");
    }
    let outcome = Outcome { attempt, result, at: Utc::now().max(now), metadata };
    record(dispatcher, id, outcome).await
}

/// Sends a notification through its channel, bounded by the send timeout.
async fn send(dispatcher: &Dispatcher, notification: &NotificationRecord) -> Result<(), Failure> {
    let (text, html) = if notification.kind == NotificationKind::Promotion {
        let link = dispatcher.settings.unsubscribe_key.link(&dispatcher.settings.public_url, notification.customer_id);
        with_unsubscribe_link(&notification.text, notification.html.as_deref(), &link)
    } else {
        (notification.text.clone(), notification.html.clone())
    };
    let timeout = dispatcher.settings.send_timeout;
    let timed_out = || Failure { reason: format!("no answer within {} s", timeout.as_secs_f64()), permanent: false };
    match notification.channel {
        Channel::Email => {
            let html = html.unwrap_or_else(|| format!("<pre>{}</pre>", escape_html(&text)));
            // Keyed by the notification: a resend after a crash is recognisably the same message.
            let key = MessageKey { id: notification.notification_id.as_uuid(), at: notification.queued_at };
            let message = MailMessage {
                to: notification.to.clone(),
                subject: notification.subject.clone(),
                text,
                html,
                template: notification.kind.as_str().to_owned(),
                key: Some(key),
            };
            match tokio::time::timeout(timeout, dispatcher.mailer.send(&message)).await {
                Ok(Ok(())) => Ok(()),
                Ok(Err(error)) => Err(Failure { reason: error.reason, permanent: false }),
                Err(_) => Err(timed_out()),
            }
        }
        Channel::Sms => {
            let message = SmsMessage { to: notification.to.clone(), body: text };
            match tokio::time::timeout(timeout, dispatcher.sms.send(&message)).await {
                Ok(Ok(())) => Ok(()),
                Ok(Err(error)) => Err(Failure { reason: error.reason, permanent: error.permanent }),
                Err(_) => Err(timed_out()),
            }
        }
    }
}

/// Records an attempt's outcome; keeps it for the next round if the store fails.
///
/// A success is a fact: if another sender recorded a failure for the same attempt
/// number first (a race with a stopping process), it is recorded as the next
/// attempt instead, so the message is not sent again.
async fn record(dispatcher: &Dispatcher, id: NotificationId, mut outcome: Outcome) -> Result<bool, DispatchError> {
    loop {
        let sent = outcome.result.is_ok();
        let command = match &outcome.result {
            Ok(()) => NotificationCommand::RecordSent { notification_id: id, attempt: outcome.attempt, at: outcome.at },
            Err(failure) => NotificationCommand::RecordFailure {
                notification_id: id,
                attempt: outcome.attempt,
                reason: failure.reason.clone(),
                permanent: failure.permanent,
                at: outcome.at,
            },
        };
        let metadata = EventMetadata { actor: Some(ACTOR.to_owned()), ..outcome.metadata.clone() };
        let command_id = ids::attempt_command(id, outcome.attempt, sent);
        match dispatcher.issue::<Notification>(command_id, metadata, &id.to_string(), command).await {
            Ok(Ok(_)) => {
                if sent {
                    tracing::info!(notification_id = %id, attempt = outcome.attempt, "notification sent");
                }
                return Ok(sent);
            }
            Ok(Err(NotificationError::AttemptMismatch { expected, .. })) if sent && expected > outcome.attempt => {
                outcome.attempt = expected;
            }
            Ok(Err(refusal)) => {
                // Another sender recorded this attempt, or the notification is final.
                tracing::debug!(notification_id = %id, %refusal, "attempt not recorded");
                return Ok(false);
            }
            Err(error) => {
                dispatcher.unrecorded.lock().unwrap_or_else(PoisonError::into_inner).insert(id, outcome);
                return Err(error);
            }
        }
    }
}
