//! Uniqueness of SKUs, coupon codes and sibling category names, claimed in the
//! account store before the aggregate is created ([`create`]).
//!
//! A claim whose owner stream was never written (the process stopped between claim
//! and append) is adopted: the new request creates the aggregate under the owner's
//! id, so the key stays bound to one id and is never lost. Two requests racing for
//! the same key then append to the same new stream; the event store lets one win.

use emporium_domain::Decider;
use emporium_infra::accounts::{AccountStore, AccountStoreError, ClaimKind};
use emporium_infra::event_store::EventMetadata;
use uuid::Uuid;

use crate::{Command, CommandError, CommandHandler};

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

/// What [`create`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Creation {
    /// The aggregate `id` was created; its event is at `position`.
    Created {
        /// The new aggregate's id (the candidate, or an orphaned claim's owner).
        id: Uuid,
        /// The global position of its first event.
        position: u64,
    },
    /// Another aggregate holds the key (or won a race for it); nothing was written.
    Taken,
}

/// Why [`create`] failed.
#[derive(Debug, thiserror::Error)]
pub enum CreateError<E: std::error::Error + 'static> {
    /// The claim could not be decided.
    #[error(transparent)]
    Claim(#[from] ClaimError<E>),
    /// The aggregate refused its creation, or the event store failed.
    #[error(transparent)]
    Command(#[from] CommandError<E>),
}

/// Creates a `D` under the unique `key` of `kind`: the key is claimed for
/// `candidate` (or adopted from an orphaned claim), then `command(id)` is run.
/// `already_exists` names the refusal that means another request won the race for
/// the same key, which is [`Creation::Taken`] like a key held before. Run the
/// aggregate's own rules and any lookups first: a refused request must leave no
/// claim behind.
#[allow(clippy::too_many_arguments)]
pub async fn create<D: Decider>(
    commands: &CommandHandler,
    accounts: &dyn AccountStore,
    kind: ClaimKind,
    key: &str,
    candidate: Uuid,
    command: impl Fn(Uuid) -> D::Command,
    already_exists: impl Fn(&D::Error) -> bool,
    metadata: EventMetadata,
) -> Result<Creation, CreateError<D::Error>> {
    let id = match claim::<D>(commands, accounts, kind, key, candidate).await? {
        Claim::Create(id) => id,
        Claim::Taken => return Ok(Creation::Taken),
    };
    let command = Command { command_id: Uuid::now_v7(), aggregate_id: id.to_string(), payload: command(id), metadata };
    match commands.handle::<D>(&command).await {
        Ok(outcome) => Ok(Creation::Created { id, position: outcome.position }),
        Err(CommandError::Domain(refusal)) if already_exists(&refusal) => Ok(Creation::Taken),
        Err(other) => Err(other.into()),
    }
}
