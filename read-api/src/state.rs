//! What every read handler can reach.

use std::sync::Arc;

use axum::extract::FromRef;
use emporium_api_kit::ApiError;
use emporium_api_kit::position::{AppliedPosition, MinPosition};
use emporium_api_kit::token::TokenKeys;
use emporium_infra::event_store::EventStore;
use emporium_infra::read_store::ReadStore;

/// Shared by all read handlers.
#[derive(Clone)]
pub struct ReadState {
    /// The read models.
    pub reads: Arc<dyn ReadStore>,
    /// How far the projections have applied the log (their stored checkpoints).
    pub applied: AppliedPosition,
    /// The event log (live order updates).
    pub events: Arc<dyn EventStore>,
    /// Verifies access tokens.
    pub keys: TokenKeys,
}

impl ReadState {
    /// Waits until the read models have applied `min` (read-your-writes).
    pub async fn caught_up(&self, min: MinPosition) -> Result<(), ApiError> {
        min.wait_for(&self.applied).await
    }
}

impl FromRef<ReadState> for TokenKeys {
    fn from_ref(state: &ReadState) -> Self {
        state.keys.clone()
    }
}
