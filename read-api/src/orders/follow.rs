//! Following one order's status in its own event stream (`order-<id>`).
//!
//! The live feed reads the order's stream rather than the read model or the whole
//! log: the stream is the source of truth (no projection lag, so the first status
//! of an order placed a moment ago is there), and each follower reads only its own
//! few events, woken by the store's head watch when this process commits and by a
//! short poll for commits of other processes, instead of every client filtering
//! every event of the shop.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use emporium_api_kit::ApiError;
use emporium_domain::Decider;
use emporium_domain::ids::OrderId;
use emporium_domain::order::{Order, OrderEvent, OrderState, OrderStatus, PlacedOrder};
use emporium_infra::codec::decode;
use emporium_infra::event_store::EventStore;

/// Events read per page.
const PAGE: usize = 256;

/// One status the order took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusUpdate {
    /// The stream version of the event that caused it (the SSE event id).
    pub version: u64,
    /// The status.
    pub status: OrderStatus,
    /// When.
    pub at: DateTime<Utc>,
}

/// The statuses after which the feed ends: nothing but a refund can follow them.
pub fn is_final(status: OrderStatus) -> bool {
    matches!(status, OrderStatus::Delivered | OrderStatus::Cancelled | OrderStatus::Refunded)
}

/// An order's stream, folded up to `version`.
pub struct OrderFollower {
    events: Arc<dyn EventStore>,
    stream_id: String,
    version: u64,
    state: OrderState,
}

impl OrderFollower {
    /// A follower at the start of the order's stream.
    pub fn new(events: Arc<dyn EventStore>, order_id: OrderId) -> Self {
        Self { events, stream_id: format!("{}-{order_id}", Order::CATEGORY), version: 0, state: OrderState::Absent }
    }

    /// The order as folded so far.
    pub fn order(&self) -> Option<&PlacedOrder> {
        self.state.order()
    }

    /// Reads the events after the last one seen; returns the statuses they added.
    pub async fn poll(&mut self) -> Result<Vec<StatusUpdate>, ApiError> {
        let mut updates = Vec::new();
        loop {
            let page = self
                .events
                .read_stream(&self.stream_id, self.version + 1, PAGE)
                .await
                .map_err(|e| ApiError::internal(&e))?;
            for recorded in &page {
                let event: OrderEvent = decode(recorded).map_err(|e| ApiError::internal(&e))?;
                let before = self.state.order().map_or(0, |o| o.status_history.len());
                self.state = Order::evolve(std::mem::take(&mut self.state), &event);
                self.version = recorded.stream_version;
                if let Some(order) = self.state.order() {
                    for (status, at) in order.status_history.iter().skip(before) {
                        updates.push(StatusUpdate { version: recorded.stream_version, status: *status, at: *at });
                    }
                }
            }
            if page.len() < PAGE {
                return Ok(updates);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_feed_ends_at_delivered_cancelled_or_refunded() {
        let finals: Vec<_> = OrderStatus::ALL.into_iter().filter(|s| is_final(*s)).collect();
        assert_eq!(finals, [OrderStatus::Delivered, OrderStatus::Cancelled, OrderStatus::Refunded]);
    }
}
