//! The facts commands need before they decide, read from their own streams (the
//! source of truth, so a product created a moment ago is found before any read model
//! has caught up): a product on sale, the stock of a SKU, a coupon by its code.
//! Checkout, the cart's commands and orders placed from lines all ask here.

use emporium_domain::Decider;
use emporium_domain::coupon::{Coupon, CouponCode, CouponState};
use emporium_domain::ids::{CouponId, ProductId};
use emporium_domain::inventory::Inventory;
use emporium_domain::product::{Product, ProductRecord};
use emporium_domain::values::Sku;
use emporium_infra::accounts::{AccountStore, AccountStoreError, ClaimKind};
use emporium_infra::event_store::StoreError;
use uuid::Uuid;

use crate::{CommandError, CommandHandler};

/// Why a lookup found no usable answer.
#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    /// No product has this id.
    #[error("no product has the id {0}")]
    ProductNotFound(ProductId),
    /// The product (named) is no longer sold.
    #[error("{0} is discontinued and can no longer be bought")]
    ProductDiscontinued(String),
    /// The event store failed (see [`StoreError::is_unavailable`]).
    #[error(transparent)]
    Store(StoreError),
    /// A stored event could not be read.
    #[error("reading {stream_id}: {reason}")]
    Unreadable {
        /// The stream.
        stream_id: String,
        /// What failed.
        reason: String,
    },
    /// The account store (where coupon codes are claimed) failed.
    #[error("looking up a coupon code: {0}")]
    Accounts(#[from] AccountStoreError),
}

/// An aggregate's current state.
pub async fn load<D: Decider>(commands: &CommandHandler, id: &str) -> Result<D::State, LookupError> {
    match commands.load::<D>(id).await {
        Ok((state, _version, _position)) => Ok(state),
        Err(CommandError::Store(store)) => Err(LookupError::Store(store)),
        Err(CommandError::Codec { stream_id, source }) => {
            Err(LookupError::Unreadable { stream_id, reason: source.to_string() })
        }
        // Loading decides nothing and never retries; these cannot come back from it.
        Err(other @ (CommandError::Domain(_) | CommandError::Contention { .. })) => {
            Err(LookupError::Unreadable { stream_id: id.to_owned(), reason: other.to_string() })
        }
    }
}

/// A product that can be sold.
pub async fn product_on_sale(commands: &CommandHandler, id: ProductId) -> Result<ProductRecord, LookupError> {
    let product = load::<Product>(commands, &id.to_string()).await?;
    let record = product.product().cloned().ok_or(LookupError::ProductNotFound(id))?;
    if record.is_discontinued() {
        return Err(LookupError::ProductDiscontinued(record.name().to_owned()));
    }
    Ok(record)
}

/// Units of `sku` that can still be reserved (0 when it never had stock).
pub async fn available(commands: &CommandHandler, sku: &Sku) -> Result<u64, LookupError> {
    Ok(load::<Inventory>(commands, sku.as_str()).await?.available())
}

/// The coupon a shopper's code names, with its state; `None` when no coupon has it
/// (or the code is not one a coupon could have).
pub async fn coupon_by_code(
    commands: &CommandHandler,
    accounts: &dyn AccountStore,
    raw: &str,
) -> Result<Option<(CouponId, CouponState)>, LookupError> {
    let Ok(code) = CouponCode::parse(raw) else {
        return Ok(None);
    };
    let owner = accounts.unique_owner(ClaimKind::CouponCode, code.as_str()).await?;
    let Some(id) = owner.and_then(|owner| Uuid::parse_str(&owner).ok()).map(CouponId::from_uuid) else {
        return Ok(None);
    };
    let coupon = load::<Coupon>(commands, &id.to_string()).await?;
    Ok(coupon.exists().then_some((id, coupon)))
}
