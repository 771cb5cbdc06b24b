//! Recording a refund the provider has already made, for the refund endpoint and the
//! Stripe webhook: the use case ([`emporium_commands::refunds`]) with the request's
//! correlation and the caller as actor, its failure as an API error.

use emporium_api_kit::{ApiError, RequestContext};
use emporium_domain::payment::PaymentAttempt;

pub(crate) use emporium_commands::refunds::ProviderRefund;

use crate::errors::command_error;
use crate::state::WriteState;

/// Records `refund` on `payment` and its order; returns the global position of the
/// last event written.
pub(crate) async fn record_refund(
    state: &WriteState,
    context: &RequestContext,
    actor: &str,
    payment: &PaymentAttempt,
    refund: &ProviderRefund,
) -> Result<u64, ApiError> {
    emporium_commands::refunds::record_refund(&state.commands, &context.metadata(actor), payment, refund)
        .await
        .map_err(command_error)
}
