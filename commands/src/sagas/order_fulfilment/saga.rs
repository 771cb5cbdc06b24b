//! What every step needs: the command handler, the stores, the gateway and the
//! settings, with helpers that turn a handler's answer into "done", "refused" (a
//! final domain answer the step decides on) or an infrastructure error.

use std::sync::Arc;

use emporium_domain::Decider;
use emporium_domain::payment::MethodToken;
use emporium_infra::accounts::{AccountStore, ClaimKind};
use emporium_infra::event_store::EventMetadata;
use emporium_infra::payments::PaymentGateway;
use emporium_infra::read_store::ReadStore;
use uuid::Uuid;

use super::error::SagaError;
use super::settings::SagaSettings;
use super::trigger::Trigger;
use crate::{Command, CommandError, CommandHandler, CommandOutcome};

/// A command's final answer: carried out, or refused by the aggregate.
pub(super) type Decided<E> = Result<CommandOutcome, E>;

/// The saga's collaborators.
pub(super) struct Saga {
    pub handler: CommandHandler,
    pub reads: Arc<dyn ReadStore>,
    pub accounts: Arc<dyn AccountStore>,
    pub gateway: Arc<dyn PaymentGateway>,
    pub settings: SagaSettings,
}

impl Saga {
    /// Issues `payload` to aggregate `aggregate_id` with the id `step` derives from the trigger.
    pub async fn issue<D: Decider>(
        &self,
        trigger: &Trigger,
        step: &str,
        aggregate_id: &str,
        payload: D::Command,
    ) -> Result<Decided<D::Error>, SagaError> {
        self.issue_with::<D>(trigger.command_id(step), trigger.metadata(), step, aggregate_id, payload).await
    }

    /// Issues a command with an explicit id and metadata.
    pub async fn issue_with<D: Decider>(
        &self,
        command_id: Uuid,
        metadata: EventMetadata,
        step: &str,
        aggregate_id: &str,
        payload: D::Command,
    ) -> Result<Decided<D::Error>, SagaError> {
        let command = Command { command_id, aggregate_id: aggregate_id.to_owned(), payload, metadata };
        match self.handler.handle::<D>(&command).await {
            Ok(outcome) => Ok(Ok(outcome)),
            // (A refusal of a command id handled before, say by a redelivery that won
            // the race, already came back as that first outcome.)
            Err(CommandError::Domain(refusal)) => {
                tracing::debug!(step, aggregate_id, %refusal, "command refused");
                Ok(Err(refusal))
            }
            Err(other) => Err(SagaError::Command { step: step.to_owned(), source: Box::new(other) }),
        }
    }

    /// An aggregate's current state.
    pub async fn load<D: Decider>(&self, aggregate_id: &str) -> Result<D::State, SagaError> {
        match self.handler.load::<D>(aggregate_id).await {
            Ok((state, _, _)) => Ok(state),
            Err(error) => Err(SagaError::Command {
                step: format!("load {}-{aggregate_id}", D::CATEGORY),
                source: Box::new(error),
            }),
        }
    }

    /// The provider token behind an order's payment method: a saved method's token,
    /// or the method itself when it is a provider token already (`pm_card_visa`).
    pub async fn method_token(&self, payment_method: &str) -> Result<MethodToken, SagaError> {
        let saved = self.accounts.unique_owner(ClaimKind::PaymentToken, payment_method).await?;
        Ok(MethodToken::new(saved.unwrap_or_else(|| payment_method.to_owned())))
    }
}
