//! `POST /api/v1/notifications/email` and `/sms` (Admin/Manager): a promotional
//! campaign to every customer who accepts marketing.
//!
//! The request records a `CampaignRequested` on the campaign's own stream and
//! answers 202: the notification dispatcher fans it out where it meets the log (the
//! customers opted in at that point), queues one notification per recipient, and
//! records how many. The handler waits briefly for that count, so the answer
//! usually says how many were queued; if the dispatcher is slower (or runs in
//! another process that is down), the answer says `pending` and the campaign still
//! goes out once it runs.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use emporium_api_kit::position::with_position;
use emporium_api_kit::{ApiError, ApiJson, Caller, Envelope, RequestContext};
use emporium_domain::ids::CustomerId;
use emporium_domain::notification::{Campaign, CampaignCommand, CampaignId};
use tokio::time::Instant;
use uuid::Uuid;

use super::answers::CampaignAccepted;
use super::input::{EmailCampaignRequest, NewCampaign, SmsCampaignRequest};
use crate::command::run;
use crate::errors::command_error;
use crate::state::WriteState;

/// Longest a request waits for the dispatcher to fan the campaign out.
const DISPATCH_WAIT: Duration = Duration::from_secs(3);
/// How often the campaign is looked at while waiting (commits of other processes
/// do not wake the wait).
const POLL: Duration = Duration::from_millis(100);

/// Sends a promotional e-mail to every customer who opted in.
#[utoipa::path(
    post,
    path = "/api/v1/notifications/email",
    tag = "notifications",
    request_body = EmailCampaignRequest,
    responses(
        (status = 202, description = "Accepted; `queued` says how many e-mails were queued", body = Envelope<CampaignAccepted>,
            headers(("X-Emporium-Position" = u64, description = "Position of the last event written"))),
        (status = 400, description = "Invalid subject or body", body = Envelope<String>),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
        (status = 403, description = "Not an Admin or Manager", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(customer_id = %caller.customer_id))]
pub async fn email_campaign(
    State(state): State<WriteState>,
    caller: Caller,
    context: RequestContext,
    ApiJson(body): ApiJson<EmailCampaignRequest>,
) -> Result<Response, ApiError> {
    caller.require_staff()?;
    start(&state, &caller, &context, NewCampaign::try_from(body)?).await
}

/// Sends a promotional SMS to every customer who opted in and gave a phone number.
#[utoipa::path(
    post,
    path = "/api/v1/notifications/sms",
    tag = "notifications",
    request_body = SmsCampaignRequest,
    responses(
        (status = 202, description = "Accepted; `queued` says how many texts were queued", body = Envelope<CampaignAccepted>,
            headers(("X-Emporium-Position" = u64, description = "Position of the last event written"))),
        (status = 400, description = "Invalid body", body = Envelope<String>),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
        (status = 403, description = "Not an Admin or Manager", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(customer_id = %caller.customer_id))]
pub async fn sms_campaign(
    State(state): State<WriteState>,
    caller: Caller,
    context: RequestContext,
    ApiJson(body): ApiJson<SmsCampaignRequest>,
) -> Result<Response, ApiError> {
    caller.require_staff()?;
    start(&state, &caller, &context, NewCampaign::try_from(body)?).await
}

/// Records the campaign, waits (bounded) for its fan-out, answers 202.
async fn start(
    state: &WriteState,
    caller: &Caller,
    context: &RequestContext,
    campaign: NewCampaign,
) -> Result<Response, ApiError> {
    let campaign_id = CampaignId::from_uuid(Uuid::now_v7());
    let command = CampaignCommand::Request {
        campaign_id,
        channel: campaign.channel,
        subject: campaign.subject,
        body: campaign.body,
        requested_by: CustomerId::from_uuid(caller.customer_id),
        at: Utc::now(),
    };
    let outcome = run::<Campaign>(state, context, &caller.actor(), campaign_id.to_string(), command, None)
        .await
        .map_err(command_error)?;
    let (queued, position) = wait_for_dispatch(state, campaign_id).await?;
    let position = position.max(outcome.position);
    let data = CampaignAccepted {
        campaign_id: campaign_id.to_string(),
        channel: campaign.channel.as_str().to_owned(),
        status: if queued.is_some() { "dispatched" } else { "pending" }.to_owned(),
        queued,
        position,
    };
    let message = match queued {
        Some(n) => format!("campaign accepted; {n} notifications queued"),
        None => "campaign accepted; it is being dispatched".to_owned(),
    };
    let response = (StatusCode::ACCEPTED, Json(Envelope::ok(data, message))).into_response();
    Ok(with_position(response, position))
}

/// The number of notifications the dispatcher queued for the campaign and the
/// position of its last event, or `None` if it did not record them in time.
async fn wait_for_dispatch(state: &WriteState, campaign_id: CampaignId) -> Result<(Option<u32>, u64), ApiError> {
    let deadline = Instant::now() + DISPATCH_WAIT;
    let mut head = state.commands.store().head_watch();
    loop {
        let (campaign, _, position) =
            state.commands.load::<Campaign>(&campaign_id.to_string()).await.map_err(command_error)?;
        if let Some(recipients) = campaign.campaign().and_then(|c| c.recipients) {
            return Ok((Some(recipients), position));
        }
        let now = Instant::now();
        if now >= deadline {
            return Ok((None, position));
        }
        let wait = (deadline - now).min(POLL);
        if let Ok(Err(_)) = tokio::time::timeout(wait, head.changed()).await {
            // The store's watch is gone: poll instead.
            tokio::time::sleep(wait).await;
        }
    }
}
