//! Running one domain command for one HTTP request.

use emporium_api_kit::{Caller, RequestContext};
use emporium_commands::{Command, CommandError, CommandOutcome};
use emporium_domain::Decider;
use uuid::Uuid;

use crate::state::WriteState;

/// Runs `payload` against the aggregate `aggregate_id`, with the request's
/// correlation id and the caller as actor. `command_id` makes a retry of the same
/// intent (e.g. an `Idempotency-Key`) a no-op; `None` gives a fresh one.
pub async fn run<D: Decider>(
    state: &WriteState,
    context: &RequestContext,
    actor: &str,
    aggregate_id: impl Into<String>,
    payload: D::Command,
    command_id: Option<Uuid>,
) -> Result<CommandOutcome, CommandError<D::Error>> {
    let command = Command {
        command_id: command_id.unwrap_or_else(Uuid::now_v7),
        aggregate_id: aggregate_id.into(),
        payload,
        metadata: context.metadata(actor),
    };
    state.commands.handle::<D>(&command).await
}

/// The actor string for a caller, or `guest` / `system`.
pub fn actor_of(caller: Option<&Caller>) -> String {
    caller.map_or_else(|| "guest".to_owned(), Caller::actor)
}
