//! Receiving and adjusting a product's stock (staff): a signed change to the
//! inventory of the product's SKU (`inventory-<SKU>`), one use case. The product is
//! looked up by id, the inventory decides, and the outcome carries the levels after
//! the change and the events appended.

use chrono::{DateTime, Utc};
use emporium_domain::ids::ProductId;
use emporium_domain::inventory::{Inventory, InventoryCommand, InventoryError};
use emporium_domain::product::{Product, ProductError};
use emporium_domain::values::{Quantity, Sku};
use emporium_infra::event_store::EventMetadata;
use uuid::Uuid;

use crate::{Command, CommandError, CommandHandler};

/// A checked stock change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StockChange {
    /// Units arrived.
    Receive(Quantity),
    /// A counted correction, up or down, with its reason.
    Adjust {
        /// Signed units.
        delta: i64,
        /// Why.
        reason: String,
    },
}

impl StockChange {
    /// The inventory command for `sku`.
    pub fn command(self, sku: Sku, at: DateTime<Utc>) -> InventoryCommand {
        match self {
            Self::Receive(quantity) => InventoryCommand::ReceiveStock { sku, quantity, at },
            Self::Adjust { delta, reason } => InventoryCommand::AdjustStock { sku, delta, reason, at },
        }
    }
}

/// What staff asked for.
#[derive(Debug, Clone)]
pub struct ChangeStock {
    /// The product whose SKU's stock changes.
    pub product_id: ProductId,
    /// The change.
    pub change: StockChange,
    /// When.
    pub at: DateTime<Utc>,
    /// Correlation, actor and trace for the events.
    pub metadata: EventMetadata,
}

/// What the change did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockChanged {
    /// The product's SKU (the inventory's key).
    pub sku: Sku,
    /// Units on the shelf after the change.
    pub on_hand: u64,
    /// Units held for orders.
    pub reserved: u64,
    /// Units that can still be sold.
    pub available: u64,
    /// Position of the inventory event (read-your-writes).
    pub position: u64,
    /// Events appended (0 for a repeat).
    pub appended: usize,
}

/// Why the stock did not change.
#[derive(Debug, thiserror::Error)]
pub enum StockError {
    /// No product has the id.
    #[error("product not found")]
    ProductNotFound(ProductId),
    /// The inventory refused, or storage failed while changing it.
    #[error(transparent)]
    Inventory(#[from] CommandError<InventoryError>),
    /// The product could not be read.
    #[error(transparent)]
    Product(#[from] CommandError<ProductError>),
}

/// Applies `request` to the product's inventory.
pub async fn change_stock(commands: &CommandHandler, request: ChangeStock) -> Result<StockChanged, StockError> {
    let sku = product_sku(commands, request.product_id).await?;
    let command = Command {
        command_id: Uuid::now_v7(),
        aggregate_id: sku.to_string(),
        payload: request.change.command(sku.clone(), request.at),
        metadata: request.metadata,
    };
    let outcome = commands.handle::<Inventory>(&command).await?;
    // The levels as of this change or a later one (what this process last wrote).
    let (stock, _, _) = commands.recent::<Inventory>(sku.as_str()).await?;
    Ok(StockChanged {
        sku,
        on_hand: stock.on_hand(),
        reserved: stock.reserved(),
        available: stock.available(),
        position: outcome.position,
        appended: outcome.appended,
    })
}

/// A product's SKU. A product once created keeps its SKU and stays (discontinued at
/// most), so a cached state is proof enough; only "no such product" is confirmed
/// against the log.
async fn product_sku(commands: &CommandHandler, id: ProductId) -> Result<Sku, StockError> {
    let (recent, _, _) = commands.recent::<Product>(&id.to_string()).await?;
    let product = match recent.product() {
        Some(_) => recent,
        None => commands.load::<Product>(&id.to_string()).await?.0,
    };
    product.product().map(|record| record.sku().clone()).ok_or(StockError::ProductNotFound(id))
}
