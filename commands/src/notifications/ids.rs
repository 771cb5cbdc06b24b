//! Deterministic ids: each notification's id is a name-based UUID (v5) of what
//! caused it, and each command's id one of the notification and the step, so a
//! redelivered event, a second process or a restart names the same notification
//! and the event store dedupes the commands.

use emporium_domain::ids::{CustomerId, OrderId, PaymentId};
use emporium_domain::money::Money;
use emporium_domain::notification::{CampaignId, NotificationId, NotificationKind};
use uuid::Uuid;

/// The namespace of every notification id (fixed for ever: changing it mails again).
const NAMESPACE: Uuid = Uuid::from_u128(0x6b0d_41f2_93a7_4c55_8e1b_d2f4_0c9a_77e3);

fn v5(name: &str) -> Uuid {
    Uuid::new_v5(&NAMESPACE, name.as_bytes())
}

/// The notification of `kind` that the event `event_id` causes.
pub fn for_event(kind: NotificationKind, event_id: Uuid) -> NotificationId {
    NotificationId::from_uuid(v5(&format!("{kind}/event/{event_id}")))
}

/// The payment confirmation of a payment: `PaymentCaptured` and `PaymentProcessed`
/// announce the same payment, which is confirmed once.
pub fn payment_confirmation(payment_id: PaymentId) -> NotificationId {
    NotificationId::from_uuid(v5(&format!("payment_confirmation/payment/{payment_id}")))
}

/// The refund notice of an order once `total_refunded` is refunded: `PaymentRefunded`
/// and `OrderRefunded` announce the same refund, which is told once.
pub fn refund(order_id: OrderId, total_refunded: &Money) -> NotificationId {
    let total = format!("{}{}", total_refunded.amount(), total_refunded.currency());
    NotificationId::from_uuid(v5(&format!("refund/order/{order_id}/{total}")))
}

/// A campaign's message to one customer.
pub fn promotion(campaign_id: CampaignId, customer_id: CustomerId) -> NotificationId {
    NotificationId::from_uuid(v5(&format!("promotion/{campaign_id}/{customer_id}")))
}

/// The id of the command queueing a notification.
pub fn queue_command(notification_id: NotificationId) -> Uuid {
    v5(&format!("notification/{notification_id}/queue"))
}

/// The id of the command recording that attempt `attempt` was `sent` (or failed).
/// The two outcomes get distinct ids: a success must never be taken for a repeat of
/// a failure another sender recorded for the same attempt.
pub fn attempt_command(notification_id: NotificationId, attempt: u32, sent: bool) -> Uuid {
    let outcome = if sent { "sent" } else { "failed" };
    v5(&format!("notification/{notification_id}/attempt/{attempt}/{outcome}"))
}

/// The id of the command recording a campaign's fan-out.
pub fn dispatch_command(campaign_id: CampaignId) -> Uuid {
    v5(&format!("campaign/{campaign_id}/dispatch"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use emporium_domain::money::Currency;

    use super::*;

    #[test]
    fn ids_are_stable_per_cause_and_distinct_across_causes() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        assert_eq!(for_event(NotificationKind::Welcome, a), for_event(NotificationKind::Welcome, a));
        assert_ne!(for_event(NotificationKind::Welcome, a), for_event(NotificationKind::Welcome, b));
        assert_ne!(for_event(NotificationKind::Welcome, a), for_event(NotificationKind::Refund, a));
        let usd = |amount| Money::new(amount, Currency::parse("USD").unwrap()).unwrap();
        let order = OrderId::from_uuid(a);
        assert_eq!(refund(order, &usd(500)), refund(order, &usd(500)));
        assert_ne!(refund(order, &usd(500)), refund(order, &usd(900)));
        let id = promotion(CampaignId::from_uuid(a), CustomerId::from_uuid(b));
        assert_ne!(attempt_command(id, 1, true), attempt_command(id, 2, true));
        assert_ne!(attempt_command(id, 1, true), attempt_command(id, 1, false));
        assert_ne!(queue_command(id), attempt_command(id, 1, false));
    }
}
