//! Deterministic ids for the steps of placing an order, so a retry repeats nothing.
//!
//! The order id comes from the caller and their `Idempotency-Key` when they send one
//! (a retry after a crash half-way through then finds the same order), else it is
//! fresh. Every step's command id (redeem the coupon, check out the cart, create the
//! order) and the payment-method reference derive from the order id: the command
//! handler answers a repeated command id with its first outcome.

use emporium_domain::ids::OrderId;
use uuid::Uuid;

/// The namespace of order ids derived from idempotency keys.
const ORDER_NAMESPACE: Uuid = Uuid::from_u128(0x0196_0e5a_7c1d_7a43_9f0b_5e2c_8d4a_1b37);

/// The order a request places: derived from `(customer, key)`, or fresh without a key.
pub fn order_id(customer: Uuid, idempotency_key: Option<&str>) -> OrderId {
    match idempotency_key {
        Some(key) => OrderId::from_uuid(Uuid::new_v5(&ORDER_NAMESPACE, format!("order:{customer}:{key}").as_bytes())),
        None => OrderId::from_uuid(Uuid::now_v7()),
    }
}

pub use emporium_commands::ids::step;

/// The reference under which a provider token given with `order` is kept outside the log.
pub fn payment_reference(order: OrderId) -> Uuid {
    step(order, "payment-method")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_key_gives_the_same_order_and_steps() {
        let customer = Uuid::now_v7();
        let first = order_id(customer, Some("k-1"));
        assert_eq!(first, order_id(customer, Some("k-1")));
        assert_ne!(first, order_id(customer, Some("k-2")));
        assert_ne!(first, order_id(Uuid::now_v7(), Some("k-1")));
        assert_ne!(order_id(customer, None), order_id(customer, None));
        assert_eq!(step(first, "checkout"), step(first, "checkout"));
        assert_ne!(step(first, "checkout"), step(first, "create"));
        assert_ne!(payment_reference(first), step(first, "create"));
    }
}
