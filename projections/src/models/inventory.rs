//! The `inventory` read model: stock levels per SKU.
//!
//! Document (key: SKU): `id`, `sku`, `on_hand`, `reserved`, `available`, `updated_at`.
//! Every inventory event carries the levels after it, so no reads are needed.

use async_trait::async_trait;
use emporium_domain::inventory::InventoryEvent;
use emporium_infra::event_store::RecordedEvent;
use emporium_infra::read_store::DocWrite;
use serde_json::json;

use super::render::timestamp;
use crate::{Documents, ProjectionError, Projector, decode};

/// The collection.
pub const INVENTORY: &str = "inventory";

/// Projects inventory events into stock levels per SKU.
#[derive(Debug, Clone, Copy, Default)]
pub struct InventoryProjector;

#[async_trait]
impl Projector for InventoryProjector {
    fn name(&self) -> &'static str {
        "inventory"
    }

    fn collections(&self) -> &'static [&'static str] {
        &[INVENTORY]
    }

    async fn project(&self, event: &RecordedEvent, _docs: &Documents) -> Result<Vec<DocWrite>, ProjectionError> {
        if event.category() != "inventory" {
            return Ok(Vec::new());
        }
        let event = decode::<InventoryEvent>(event)?;
        let (on_hand, available) = levels(&event);
        let sku = event.sku().as_str();
        let doc = json!({
            "id": sku,
            "sku": sku,
            "on_hand": on_hand,
            "reserved": on_hand.saturating_sub(available),
            "available": available,
            "updated_at": timestamp(event.at()),
        });
        Ok(vec![DocWrite::put(INVENTORY, sku, doc)])
    }
}

/// Units on hand and available after an inventory event.
pub(crate) fn levels(event: &InventoryEvent) -> (u64, u64) {
    match event {
        InventoryEvent::StockReceived(e) => (e.on_hand, e.available),
        InventoryEvent::StockAdjusted(e) => (e.on_hand, e.available),
        InventoryEvent::StockReserved(e) => (e.on_hand, e.available),
        InventoryEvent::StockReleased(e) => (e.on_hand, e.available),
        InventoryEvent::StockCommitted(e) => (e.on_hand, e.available),
    }
}
