//! Runs an aggregate's own rules before any side effect (a uniqueness claim, a
//! first append), so a refused request leaves nothing behind.

use emporium_api_kit::ApiError;
use emporium_domain::Decider;

use crate::errors::{DomainRefusal, domain_error};

/// The domain's refusal of `command` on `state`, as an API error; nothing is stored.
pub(crate) fn precheck<D: Decider>(state: &D::State, command: &D::Command) -> Result<(), ApiError>
where
    D::Error: DomainRefusal,
{
    D::decide(state, command).map(|_| ()).map_err(|refusal| domain_error(&refusal))
}
