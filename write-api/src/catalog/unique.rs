//! Uniqueness of SKUs, coupon codes and sibling category names, claimed in the account store before the
//! aggregate is created.
//!
//! A claim whose owner stream was never written (the process stopped between claim
//! and append) is adopted: the new request creates the aggregate under the owner's
//! id, so the key stays bound to one id and is never lost. Two requests racing for
//! the same key then append to the same new stream; the event store lets one win.

use emporium_api_kit::ApiError;
use emporium_domain::Decider;
use emporium_infra::accounts::ClaimKind;
use uuid::Uuid;

use crate::errors::{DomainRefusal, command_error};
use crate::state::WriteState;

/// The outcome of claiming a key for a new aggregate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Claim {
    /// Create the aggregate with this id (the candidate, or an orphaned claim's owner).
    Create(Uuid),
    /// Another aggregate holds the key.
    Taken,
}

/// Claims `key` of `kind` for a new `D` whose id would be `candidate`.
pub(crate) async fn claim<D: Decider>(
    state: &WriteState,
    kind: ClaimKind,
    key: &str,
    candidate: Uuid,
) -> Result<Claim, ApiError>
where
    D::Error: DomainRefusal,
{
    let owner =
        state.accounts.claim_unique(kind, key, &candidate.to_string()).await.map_err(|e| ApiError::internal(&e))?;
    let Ok(owner) = Uuid::parse_str(&owner) else {
        return Ok(Claim::Taken);
    };
    if owner == candidate {
        return Ok(Claim::Create(candidate));
    }
    let (_, version, _) = state.commands.load::<D>(&owner.to_string()).await.map_err(command_error)?;
    Ok(if version == 0 { Claim::Create(owner) } else { Claim::Taken })
}
