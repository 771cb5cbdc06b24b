//! Prior history, fast: real inventory events (decided by the aggregate, encoded by
//! the codec) appended straight to the event store in big batches, without the
//! command path whose cost is being measured.
//!
//! Small and local to the harness; the synthetic-history seeder of the `rebuild`
//! scenario covers a whole shop.

use std::sync::Arc;

use chrono::Utc;
use emporium_domain::Decider;
use emporium_domain::inventory::{Inventory, InventoryCommand, InventoryState};
use emporium_domain::values::{Quantity, Sku};
use emporium_infra::codec::encode;
use emporium_infra::event_store::{AppendRequest, EventMetadata, EventStore, ExpectedVersion};

/// Events appended per transaction while seeding.
const BATCH: usize = 1000;

/// Appends `count` "one unit received" events to `sku`'s stream, which must be new.
pub async fn inventory_history(store: &Arc<dyn EventStore>, sku: &Sku, count: usize) -> anyhow::Result<()> {
    let quantity = Quantity::new(1).map_err(|error| anyhow::anyhow!("{error}"))?;
    let metadata = EventMetadata { actor: Some("system".to_owned()), ..EventMetadata::default() };
    let mut state = InventoryState::default();
    let mut version = 0u64;
    while (version as usize) < count {
        let mut events = Vec::with_capacity(BATCH);
        while events.len() < BATCH.min(count - version as usize) {
            let command = InventoryCommand::ReceiveStock { sku: sku.clone(), quantity, at: Utc::now() };
            for event in Inventory::decide(&state, &command).map_err(|error| anyhow::anyhow!("{error}"))? {
                state = Inventory::evolve(state, &event);
                events.push(encode(&event, metadata.clone())?);
            }
        }
        let expected = if version == 0 { ExpectedVersion::NoStream } else { ExpectedVersion::Exact(version) };
        let appended = events.len() as u64;
        let request = AppendRequest { stream_id: Inventory::stream_id(sku), expected, events, command_id: None };
        store.append(request).await.map_err(|error| anyhow::anyhow!("seeding {sku}: {error}"))?;
        version += appended;
    }
    Ok(())
}
