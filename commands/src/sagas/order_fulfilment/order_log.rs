//! The order stream's shape as the saga needs it: which attempt a triggering event
//! started, and whether a later event has taken over.

use emporium_domain::Decider;
use emporium_domain::ids::OrderId;
use emporium_domain::order::Order;
use emporium_infra::event_store::EventStore;

use super::error::SagaError;

/// Events read per page.
const PAGE: usize = 500;
/// The event that starts another payment attempt.
const METHOD_CHANGED: &str = "OrderPaymentMethodChanged";
/// The event that ends the order's fulfilment.
const CANCELLED: &str = "OrderCancelled";

/// The versions and types of an order stream's events.
#[derive(Debug, Clone, Default)]
pub(super) struct OrderLog {
    events: Vec<(u64, String)>,
}

impl OrderLog {
    /// Reads the order's stream (types and versions only).
    pub async fn read(store: &dyn EventStore, order_id: OrderId) -> Result<Self, SagaError> {
        let stream_id = format!("{}-{order_id}", Order::CATEGORY);
        let mut events = Vec::new();
        loop {
            let from = events.len() as u64 + 1;
            let page = store.read_stream(&stream_id, from, PAGE).await?;
            let full = page.len() == PAGE;
            events.extend(page.into_iter().map(|e| (e.stream_version, e.event_type)));
            if !full {
                return Ok(Self { events });
            }
        }
    }

    /// The payment attempt an event at `version` belongs to: 1, plus one per new
    /// payment method up to it. Derived from the log, so a redelivery gets the same.
    pub fn attempt_at(&self, version: u64) -> u32 {
        let changes = self.events.iter().filter(|(v, t)| *v <= version && t == METHOD_CHANGED).count();
        u32::try_from(changes).unwrap_or(u32::MAX).saturating_add(1)
    }

    /// How many payment attempts the order has had.
    pub fn attempts(&self) -> u32 {
        self.attempt_at(u64::MAX)
    }

    /// True when a new payment method or a cancellation came after `version`: the
    /// work a trigger at `version` started belongs to that later event now.
    pub fn superseded_after(&self, version: u64) -> bool {
        self.events.iter().any(|(v, t)| *v > version && (t == METHOD_CHANGED || t == CANCELLED))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(types: &[&str]) -> OrderLog {
        OrderLog { events: types.iter().enumerate().map(|(i, t)| (i as u64 + 1, (*t).to_owned())).collect() }
    }

    #[test]
    fn attempts_count_new_payment_methods_up_to_the_trigger() {
        let log = log(&[
            "OrderCreated",
            "ItemsReserved",
            "OrderPaymentFailed",
            METHOD_CHANGED,
            "OrderPaymentFailed",
            METHOD_CHANGED,
        ]);
        assert_eq!((log.attempt_at(1), log.attempt_at(4), log.attempt_at(6), log.attempts()), (1, 2, 3, 3));
    }

    #[test]
    fn a_later_method_change_or_cancellation_supersedes_a_trigger() {
        let log = log(&["OrderCreated", "ItemsReserved", "OrderPaymentFailed", METHOD_CHANGED, "PaymentProcessed"]);
        assert!(log.superseded_after(1));
        assert!(!log.superseded_after(4));
        assert!(self::log(&["OrderCreated", CANCELLED]).superseded_after(1));
    }
}
