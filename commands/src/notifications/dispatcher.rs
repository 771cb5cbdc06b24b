//! What every step shares: the command handler, the stores, the channels, the
//! templates and the settings, with a helper that turns a handler's answer into
//! "done", "refused" (a final domain answer) or an infrastructure error.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use emporium_domain::Decider;
use emporium_domain::notification::NotificationId;
use emporium_infra::event_store::{EventMetadata, RecordedEvent};
use emporium_infra::mailer::Mailer;
use emporium_infra::read_store::ReadStore;
use emporium_infra::sms::SmsSender;
use tokio::sync::watch;
use uuid::Uuid;

use super::attempt::Outcome;
use super::error::DispatchError;
use super::settings::NotificationSettings;
use super::templates::Templates;
use crate::{Command, CommandError, CommandHandler, CommandOutcome};

/// Who the dispatcher's commands say acted.
pub const ACTOR: &str = "notifications:dispatcher";

/// A command's final answer: carried out, or refused by the aggregate.
pub(super) type Decided<E> = Result<CommandOutcome, E>;

/// The dispatcher's collaborators.
pub(super) struct Dispatcher {
    /// Runs commands; its store is the log the dispatcher tails.
    pub handler: CommandHandler,
    /// Directory, schedule and checkpoint.
    pub reads: Arc<dyn ReadStore>,
    /// The e-mail channel.
    pub mailer: Arc<dyn Mailer>,
    /// The SMS channel.
    pub sms: Arc<dyn SmsSender>,
    /// How it runs.
    pub settings: NotificationSettings,
    /// The message templates.
    pub templates: Templates,
    /// Outcomes of sends whose recording failed: recorded on the next round without
    /// sending again.
    pub unrecorded: Mutex<HashMap<NotificationId, Outcome>>,
    /// Set when the dispatcher is asked to stop: work in hand finishes, no new send or
    /// retry starts (see the runner).
    pub stopping: watch::Sender<bool>,
}

impl Dispatcher {
    /// True once a stop was asked for.
    pub fn is_stopping(&self) -> bool {
        *self.stopping.borrow()
    }

    /// Issues `payload` to aggregate `aggregate_id` under `command_id`.
    pub async fn issue<D: Decider>(
        &self,
        command_id: Uuid,
        metadata: EventMetadata,
        aggregate_id: &str,
        payload: D::Command,
    ) -> Result<Decided<D::Error>, DispatchError> {
        let command = Command { command_id, aggregate_id: aggregate_id.to_owned(), payload, metadata };
        match self.handler.handle::<D>(&command).await {
            Ok(outcome) => Ok(Ok(outcome)),
            Err(CommandError::Domain(refusal)) => Ok(Err(refusal)),
            Err(other) => {
                Err(DispatchError::Command { step: format!("{}-{aggregate_id}", D::CATEGORY), source: Box::new(other) })
            }
        }
    }
}

/// Metadata for commands caused by `recorded`: its correlation and trace, the
/// dispatcher as actor (the handler sets the causation to the command id).
pub(super) fn caused_by(recorded: &RecordedEvent) -> EventMetadata {
    EventMetadata {
        correlation_id: recorded.metadata.correlation_id.or(Some(recorded.event_id)),
        causation_id: None,
        actor: Some(ACTOR.to_owned()),
        traceparent: recorded.metadata.traceparent.clone(),
    }
}
