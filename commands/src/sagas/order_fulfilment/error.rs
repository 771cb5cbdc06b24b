//! Why the saga could not finish handling an event; every variant is worth retrying
//! later, because domain refusals are handled as outcomes and never surface here.

use emporium_infra::accounts::AccountStoreError;
use emporium_infra::event_store::StoreError;
use emporium_infra::payments::GatewayError;
use emporium_infra::read_store::ReadStoreError;

/// An infrastructure failure while running a saga step.
#[derive(Debug, thiserror::Error)]
pub enum SagaError {
    /// A command could not be carried out (store failure, contention, undecodable stream).
    #[error("saga step {step}: {source}")]
    Command {
        /// The step, e.g. `reserve/MUG-1`.
        step: String,
        /// The handler's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The payment gateway stayed unavailable through every retry.
    #[error("payment gateway, {call}: {source}")]
    Gateway {
        /// The call, e.g. `capture`.
        call: &'static str,
        /// The gateway's last answer.
        #[source]
        source: GatewayError,
    },
    /// Reading the event log failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The read store (saga state, checkpoint) failed.
    #[error(transparent)]
    ReadStore(#[from] ReadStoreError),
    /// The account store (payment tokens, coupon codes) failed.
    #[error(transparent)]
    Accounts(#[from] AccountStoreError),
    /// A stored saga state document could not be read or written.
    #[error("saga state of order {order_id}: {source}")]
    State {
        /// The order.
        order_id: String,
        /// The serde error.
        #[source]
        source: serde_json::Error,
    },
}
