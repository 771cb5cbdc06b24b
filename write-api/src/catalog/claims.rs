//! Creating a product, category or coupon under its unique key (SKU, sibling
//! name, code) with `emporium_commands::unique::create`, its failure as an API error.

use emporium_api_kit::ApiError;
use emporium_commands::unique::{self, ClaimError, CreateError, Creation};
use emporium_domain::Decider;
use emporium_infra::accounts::ClaimKind;
use uuid::Uuid;

use crate::errors::{DomainRefusal, command_error};
use crate::state::WriteState;

/// Creates a `D` under `key` of `kind` (see [`unique::create`]); the refusal
/// `already_exists` names means the key was taken by a racing request.
pub(crate) async fn create<D: Decider>(
    state: &WriteState,
    metadata: emporium_infra::event_store::EventMetadata,
    (kind, key): (ClaimKind, &str),
    candidate: Uuid,
    command: impl Fn(Uuid) -> D::Command,
    already_exists: impl Fn(&D::Error) -> bool,
) -> Result<Creation, ApiError>
where
    D::Error: DomainRefusal,
{
    let accounts = state.accounts.as_ref();
    unique::create::<D>(&state.commands, accounts, kind, key, candidate, command, already_exists, metadata)
        .await
        .map_err(|error| match error {
            CreateError::Claim(ClaimError::Accounts(accounts)) => ApiError::internal(&accounts),
            CreateError::Claim(ClaimError::Load(load)) | CreateError::Command(load) => command_error(load),
        })
}
