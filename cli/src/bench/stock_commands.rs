//! Emporium's real command path as a load client: stock received on a SKU, through
//! `CommandHandler::handle` (command-id check, load, decide, append with the loaded
//! version), each client on SKUs of its own.

use std::time::{Duration, Instant};

use chrono::Utc;
use emporium_commands::{Command, CommandHandler, CommandOutcome};
use emporium_domain::inventory::{Inventory, InventoryCommand};
use emporium_domain::values::{Quantity, Sku};
use emporium_infra::event_store::EventMetadata;

/// One client: round-robin over its own SKUs, one unit received per command.
pub struct StockClient {
    handler: CommandHandler,
    skus: Vec<Sku>,
    next: usize,
}

impl StockClient {
    /// Client `client` with `streams` SKUs named `BENCH-C<client>-S<k>`.
    pub fn new(handler: CommandHandler, client: usize, streams: usize) -> anyhow::Result<Self> {
        let skus = (0..streams.max(1)).map(|k| sku(&format!("BENCH-C{client}-S{k}"))).collect::<Result<_, _>>()?;
        Ok(Self { handler, skus, next: 0 })
    }
}

/// A SKU from a name the harness made up.
pub fn sku(name: &str) -> anyhow::Result<Sku> {
    Sku::parse(name).map_err(|error| anyhow::anyhow!("{name} is not a SKU: {error}"))
}

/// Handles "one unit of `sku` received" with a fresh command id.
pub async fn receive_one(handler: &CommandHandler, sku: &Sku) -> anyhow::Result<CommandOutcome> {
    let quantity = Quantity::new(1).map_err(|error| anyhow::anyhow!("{error}"))?;
    let command = Command {
        command_id: uuid::Uuid::now_v7(),
        aggregate_id: sku.to_string(),
        payload: InventoryCommand::ReceiveStock { sku: sku.clone(), quantity, at: Utc::now() },
        metadata: EventMetadata { actor: Some("system".to_owned()), ..EventMetadata::default() },
    };
    handler.handle::<Inventory>(&command).await.map_err(|error| anyhow::anyhow!("stock command on {sku}: {error}"))
}

impl super::load::Operation for StockClient {
    async fn call(&mut self, scheduled: Instant) -> anyhow::Result<Vec<Duration>> {
        let sku = &self.skus[self.next % self.skus.len()];
        self.next += 1;
        receive_one(&self.handler, sku).await?;
        Ok(vec![scheduled.elapsed()])
    }
}
