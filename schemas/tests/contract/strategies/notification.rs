//! Notification delivery events.

use emporium_domain::notification::{
    Channel, MAX_SUBJECT_LEN, NotificationEvent, NotificationFailed, NotificationGaveUp, NotificationKind,
    NotificationQueued, NotificationRetryScheduled, NotificationSent, RetryPolicy,
};
use proptest::prelude::*;

use super::values::*;

/// Any notification kind.
pub fn kind() -> impl Strategy<Value = NotificationKind> {
    proptest::sample::select(NotificationKind::ALL.to_vec())
}

/// Any channel.
pub fn channel() -> impl Strategy<Value = Channel> {
    prop_oneof![Just(Channel::Email), Just(Channel::Sms)]
}

/// A retry policy the decider accepts.
pub fn retry_policy() -> impl Strategy<Value = RetryPolicy> {
    (1..=RetryPolicy::MAX_ATTEMPTS, 0..=RetryPolicy::MAX_DELAY_MS)
        .prop_flat_map(|(max_attempts, max_delay_ms)| (Just(max_attempts), 0..=max_delay_ms, Just(max_delay_ms)))
        .prop_map(|(max_attempts, first_delay_ms, max_delay_ms)| RetryPolicy {
            max_attempts,
            first_delay_ms,
            max_delay_ms,
        })
}

/// A recipient and HTML part fitting the channel: an e-mail address (with optional
/// HTML) or a phone number (never HTML).
fn addressed(channel: Channel) -> BoxedStrategy<(String, Option<String>)> {
    match channel {
        Channel::Email => {
            (email(), proptest::option::of(text(200))).prop_map(|(to, html)| (to.as_str().to_owned(), html)).boxed()
        }
        Channel::Sms => phone().prop_map(|to| (to.as_str().to_owned(), None)).boxed(),
    }
}

/// Any notification event.
pub fn events() -> impl Strategy<Value = NotificationEvent> {
    prop_oneof![
        (
            notification_id(),
            kind(),
            channel().prop_flat_map(|c| (Just(c), addressed(c))),
            customer_id(),
            text(MAX_SUBJECT_LEN),
            text(200),
            retry_policy(),
            instant()
        )
            .prop_map(
                |(notification_id, kind, (channel, (to, html)), customer_id, subject, text, retry, at)| {
                    NotificationEvent::NotificationQueued(NotificationQueued {
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
                    })
                }
            ),
        (notification_id(), 1..=RetryPolicy::MAX_ATTEMPTS, instant()).prop_map(|(notification_id, attempt, at)| {
            NotificationEvent::NotificationSent(NotificationSent { notification_id, attempt, at })
        }),
        (notification_id(), 1..=RetryPolicy::MAX_ATTEMPTS, short_text(), any::<bool>(), instant()).prop_map(
            |(notification_id, attempt, reason, permanent, at)| {
                NotificationEvent::NotificationFailed(NotificationFailed {
                    notification_id,
                    attempt,
                    reason,
                    permanent,
                    at,
                })
            }
        ),
        (notification_id(), 2..=RetryPolicy::MAX_ATTEMPTS, instant(), instant()).prop_map(
            |(notification_id, next_attempt, a, b)| {
                NotificationEvent::NotificationRetryScheduled(NotificationRetryScheduled {
                    notification_id,
                    next_attempt,
                    retry_at: a.max(b),
                    at: a.min(b),
                })
            }
        ),
        (notification_id(), 1..=RetryPolicy::MAX_ATTEMPTS, instant()).prop_map(|(notification_id, attempts, at)| {
            NotificationEvent::NotificationGaveUp(NotificationGaveUp { notification_id, attempts, at })
        }),
    ]
}
