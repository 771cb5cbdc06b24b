//! Stock events of a SKU.

use emporium_domain::inventory::{
    InventoryEvent, StockAdjusted, StockCommitted, StockReceived, StockReleased, StockReserved,
};
use proptest::prelude::*;

use super::values::*;

/// Any stock count after an event.
fn level() -> impl Strategy<Value = u64> {
    prop_oneof![Just(0), any::<u32>().prop_map(u64::from)]
}

/// Any inventory event.
pub fn events() -> impl Strategy<Value = InventoryEvent> {
    prop_oneof![
        (sku(), quantity(), level(), level(), instant()).prop_map(|(sku, quantity, on_hand, available, at)| {
            InventoryEvent::StockReceived(StockReceived { sku, quantity, on_hand, available, at })
        }),
        (sku(), any::<i64>().prop_filter("non-zero", |d| *d != 0), short_text(), level(), level(), instant()).prop_map(
            |(sku, delta, reason, on_hand, available, at)| {
                InventoryEvent::StockAdjusted(StockAdjusted { sku, delta, reason, on_hand, available, at })
            }
        ),
        (sku(), order_id(), quantity(), level(), level(), instant()).prop_map(
            |(sku, order_id, quantity, on_hand, available, at)| {
                InventoryEvent::StockReserved(StockReserved { sku, order_id, quantity, on_hand, available, at })
            }
        ),
        (sku(), order_id(), quantity(), level(), level(), instant()).prop_map(
            |(sku, order_id, quantity, on_hand, available, at)| {
                InventoryEvent::StockReleased(StockReleased { sku, order_id, quantity, on_hand, available, at })
            }
        ),
        (sku(), order_id(), quantity(), level(), level(), instant()).prop_map(
            |(sku, order_id, quantity, on_hand, available, at)| {
                InventoryEvent::StockCommitted(StockCommitted { sku, order_id, quantity, on_hand, available, at })
            }
        ),
    ]
}
