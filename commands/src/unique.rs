//! Uniqueness of SKUs, coupon codes and sibling category names, claimed in the account store before the
//! aggregate is created.
//!
//! A claim whose owner stream was never written (the process stopped between claim
//! and append) is adopted: the new request creates the aggregate under the owner's
//! id, so the key stays bound to one id and is never lost. Two requests racing for
//! the same key then append to the same new stream; the event store lets one win.

use emporium_domain::Decider;
use emporium_infra::accounts::{AccountStore, AccountStoreError, ClaimKind};
use uuid::Uuid;

use crate::{CommandError, CommandHandler};

/// The outcome of claiming a key for a new aggregate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// Create the aggregate with this id (the candidate, or an orphaned claim's owner).
    Create(Uuid),
    /// Another aggregate holds the key.
    Taken,
}

/// Why a claim could not be decided.
#[derive(Debug, thiserror::Error)]
pub enum ClaimError<E: std::error::Error + 'static> {
    /// The account store (where keys are claimed) failed.
    #[error(transparent)]
    Accounts(#[from] AccountStoreError),
    /// Loading the owner's stream failed.
    #[error(transparent)]
    Load(#[from] CommandError<E>),
}

/// Claims `key` of `kind` for a new `D` whose id would be `candidate`.
pub async fn claim<D: Decider>(
    commands: &CommandHandler,
    accounts: &dyn AccountStore,
    kind: ClaimKind,
    key: &str,
    candidate: Uuid,
) -> Result<Claim, ClaimError<D::Error>> {
    let owner = accounts.claim_unique(kind, key, &candidate.to_string()).await?;
    let Ok(owner) = Uuid::parse_str(&owner) else {
        return Ok(Claim::Taken);
    };
    if owner == candidate {
        return Ok(Claim::Create(candidate));
    }
    let (_, version, _) = commands.load::<D>(&owner.to_string()).await?;
    Ok(if version == 0 { Claim::Create(owner) } else { Claim::Taken })
}
