//! Claiming a SKU, coupon code or sibling category name for a new aggregate
//! (`emporium_commands::unique`), its failure as an API error.

use emporium_api_kit::ApiError;
use emporium_commands::unique::{self, Claim, ClaimError};
use emporium_domain::Decider;
use emporium_infra::accounts::ClaimKind;
use uuid::Uuid;

use crate::errors::{DomainRefusal, command_error};
use crate::state::WriteState;

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
    unique::claim::<D>(&state.commands, state.accounts.as_ref(), kind, key, candidate).await.map_err(
        |error| match error {
            ClaimError::Accounts(accounts) => ApiError::internal(&accounts),
            ClaimError::Load(load) => command_error(load),
        },
    )
}
