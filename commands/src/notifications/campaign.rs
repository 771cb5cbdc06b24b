//! Promotional campaigns: a `CampaignRequested` fans out into one promotion per
//! customer who accepts marketing at that point of the log (with a phone number, for
//! SMS), and the campaign then records how many were queued.

use emporium_domain::notification::{Campaign, CampaignCommand, CampaignError, CampaignRequested, Channel};
use emporium_infra::event_store::RecordedEvent;

use super::directory::{CUSTOMERS, CustomerEntry};
use super::dispatcher::{Dispatcher, caused_by};
use super::error::DispatchError;
use super::facts::Facts;
use super::ids;
use super::overlay::Overlay;
use super::queue::{CampaignRun, Draft, Work};

/// Drafts the campaign's promotions (none when the request is stale).
pub(super) async fn fan_out(
    view: &Overlay,
    recorded: &RecordedEvent,
    requested: &CampaignRequested,
    fresh: bool,
    work: &mut Work,
) -> Result<(), DispatchError> {
    let metadata = caused_by(recorded);
    if fresh {
        let audience: Vec<CustomerEntry> = view.find(CUSTOMERS, "marketing_opt_in", true).await?;
        let facts = Facts::promotion(requested.subject.clone(), &requested.body);
        for customer in audience {
            if requested.channel == Channel::Sms && customer.phone.is_none() {
                continue;
            }
            work.drafts.push(Draft {
                notification_id: ids::promotion(requested.campaign_id, customer.id),
                customer,
                channel: requested.channel,
                facts: facts.clone(),
                metadata: metadata.clone(),
                campaign: Some(requested.campaign_id),
            });
        }
    }
    work.campaigns.push(CampaignRun { campaign_id: requested.campaign_id, metadata });
    Ok(())
}

/// Records that a campaign went out to `recipients` customers.
pub(super) async fn record_dispatch(
    dispatcher: &Dispatcher,
    run: &CampaignRun,
    recipients: u32,
) -> Result<(), DispatchError> {
    let command = CampaignCommand::RecordDispatch { campaign_id: run.campaign_id, recipients, at: chrono::Utc::now() };
    let command_id = ids::dispatch_command(run.campaign_id);
    match dispatcher.issue::<Campaign>(command_id, run.metadata.clone(), &run.campaign_id.to_string(), command).await? {
        Ok(_) => tracing::info!(campaign_id = %run.campaign_id, recipients, "campaign dispatched"),
        Err(CampaignError::AlreadyDispatched) => {}
        Err(refusal) => {
            tracing::warn!(campaign_id = %run.campaign_id, %refusal, "recording the campaign's dispatch was refused")
        }
    }
    Ok(())
}
