//! Queueing drafted messages: render each with its template and record it as a
//! notification, under an id derived from its cause, so a draft seen again is
//! already queued and changes nothing.

use emporium_domain::notification::{
    CampaignId, Channel, Notification, NotificationCommand, NotificationError, NotificationId,
};
use emporium_infra::event_store::EventMetadata;

use super::directory::CustomerEntry;
use super::dispatcher::Dispatcher;
use super::error::DispatchError;
use super::facts::Facts;
use super::ids;

/// A campaign of the batch, to be recorded as dispatched once its drafts are queued.
#[derive(Debug, Clone)]
pub(super) struct CampaignRun {
    /// The campaign.
    pub campaign_id: CampaignId,
    /// Correlation of the request.
    pub metadata: EventMetadata,
}

/// A message to queue.
#[derive(Debug, Clone)]
pub(super) struct Draft {
    /// Its id, derived from its cause.
    pub notification_id: NotificationId,
    /// Who it is for.
    pub customer: CustomerEntry,
    /// E-mail or SMS.
    pub channel: Channel,
    /// What it says.
    pub facts: Facts,
    /// Correlation of the cause.
    pub metadata: EventMetadata,
    /// The campaign it belongs to, if any.
    pub campaign: Option<CampaignId>,
}

/// What one batch asks for.
#[derive(Debug, Default)]
pub(super) struct Work {
    /// Messages to queue.
    pub drafts: Vec<Draft>,
    /// Campaigns to record as dispatched afterwards.
    pub campaigns: Vec<CampaignRun>,
}

/// Renders and queues a draft; `true` when the notification is (or already was)
/// queued, `false` when it cannot be (no address for the channel, a template or
/// domain refusal, which are logged).
pub(super) async fn queue(dispatcher: &Dispatcher, draft: &Draft) -> Result<bool, DispatchError> {
    let id = draft.notification_id;
    let to = match draft.channel {
        Channel::Email => draft.customer.email.clone(),
        Channel::Sms => match &draft.customer.phone {
            Some(phone) => phone.clone(),
            None => return Ok(false),
        },
    };
    let rendered = match dispatcher.templates.render(&draft.facts, &draft.customer.name, draft.channel) {
        Ok(rendered) => rendered,
        Err(error) => {
            tracing::error!(notification_id = %id, %error, "message not rendered; not queued");
            return Ok(false);
        }
    };
    let command = NotificationCommand::Queue {
        notification_id: id,
        kind: draft.facts.kind(),
        channel: draft.channel,
        customer_id: draft.customer.id,
        to,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        retry: dispatcher.settings.retry,
        at: chrono::Utc::now(),
    };
    match dispatcher
        .issue::<Notification>(ids::queue_command(id), draft.metadata.clone(), &id.to_string(), command)
        .await?
    {
        Ok(_) | Err(NotificationError::AlreadyQueued) => Ok(true),
        Err(refusal) => {
            tracing::warn!(notification_id = %id, customer_id = %draft.customer.id, %refusal, "notification refused; not queued");
            Ok(false)
        }
    }
}
