//! Deterministic ids: every command id, payment id and gateway idempotency key the
//! saga uses is a name-based UUID (v5) of what caused it, so handling the same event
//! again yields the same ids, and the event store and the gateway dedupe them.

use emporium_domain::ids::{OrderId, PaymentId};
use uuid::Uuid;

/// The namespace of every saga id (fixed for ever: changing it breaks dedup).
const NAMESPACE: Uuid = Uuid::from_u128(0x3f1e_9a2c_7b4d_4e8f_a1c6_52d0_e9b7_40aa);

/// The id of the command a step issues for a triggering event.
pub fn command_id(trigger: Uuid, step: &str) -> Uuid {
    Uuid::new_v5(&NAMESPACE, format!("{trigger}/{step}").as_bytes())
}

/// The id of the command that gives an order its invoice number: one per order, so
/// the event store's command log lets an order be numbered once whatever triggers it.
pub fn invoice_command_id(order_id: OrderId) -> Uuid {
    Uuid::new_v5(&NAMESPACE, format!("order/{order_id}/invoice").as_bytes())
}

/// The payment of an order's `attempt`-th try (1 for the order as placed, one more per
/// new payment method).
pub fn payment_id(order_id: OrderId, attempt: u32) -> PaymentId {
    PaymentId::from_uuid(Uuid::new_v5(&NAMESPACE, format!("order/{order_id}/payment/{attempt}").as_bytes()))
}

/// The id of the cancellation when an order's payment deadline (epoch millis) passes.
pub fn deadline_command_id(order_id: OrderId, deadline_ms: i64) -> Uuid {
    Uuid::new_v5(&NAMESPACE, format!("order/{order_id}/deadline/{deadline_ms}").as_bytes())
}

/// The gateway idempotency key of a payment's authorisation.
pub fn authorize_key(payment_id: PaymentId) -> String {
    format!("emporium-{payment_id}-authorize")
}

/// The gateway idempotency key of a payment's capture.
pub fn capture_key(payment_id: PaymentId) -> String {
    format!("emporium-{payment_id}-capture")
}

/// The gateway idempotency key of releasing a payment's uncaptured authorisation.
pub fn void_key(payment_id: PaymentId) -> String {
    format!("emporium-{payment_id}-void")
}

/// The gateway idempotency key of one refund of a payment.
pub fn refund_key(payment_id: PaymentId, refund_id: &str) -> String {
    format!("emporium-{payment_id}-refund-{refund_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_distinct_per_step_and_trigger() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        assert_eq!(command_id(a, "reserve/MUG"), command_id(a, "reserve/MUG"));
        assert_ne!(command_id(a, "reserve/MUG"), command_id(a, "reserve/TEE"));
        assert_ne!(command_id(a, "reserve/MUG"), command_id(b, "reserve/MUG"));
        let order = OrderId::from_uuid(a);
        assert_eq!(payment_id(order, 1), payment_id(order, 1));
        assert_ne!(payment_id(order, 1), payment_id(order, 2));
        assert_ne!(deadline_command_id(order, 5), deadline_command_id(order, 6));
        assert_eq!(invoice_command_id(order), invoice_command_id(order));
        assert_ne!(invoice_command_id(order), invoice_command_id(OrderId::from_uuid(b)));
        assert_ne!(authorize_key(payment_id(order, 1)), capture_key(payment_id(order, 1)));
    }
}
