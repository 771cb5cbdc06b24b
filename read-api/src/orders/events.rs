//! `GET /api/v1/orders/{orderId}/events`: the order's status as Server-Sent Events.
//!
//! The feed first replays the status history, then sends each new status as it
//! happens (see [`super::follow`] for why it follows the order's own stream), with
//! keep-alive comments in between. Each `status` event carries the stream version
//! as its id, so a client reconnecting with `Last-Event-ID` gets only what it
//! missed. An `end` event closes the feed once the order is delivered, cancelled or
//! refunded; a client that disconnects simply drops it.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use chrono::SecondsFormat;
use emporium_api_kit::{ApiError, Caller, Envelope};
use emporium_domain::ids::OrderId;
use futures::stream;
use serde_json::json;
use tokio::sync::watch;

use super::follow::{OrderFollower, StatusUpdate, is_final};
use super::get::order_not_found;
use crate::state::ReadState;

/// How often an idle feed looks for commits made by other processes.
const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// How often a keep-alive comment is sent.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// A feed between two events.
struct Feed {
    order_id: OrderId,
    follower: OrderFollower,
    pending: VecDeque<StatusUpdate>,
    head: watch::Receiver<u64>,
    /// Updates at or below this stream version were seen before (`Last-Event-ID`).
    seen: u64,
    ended: bool,
}

fn status_event(order_id: OrderId, update: &StatusUpdate) -> Event {
    let data = json!({
        "order_id": order_id.to_string(),
        "status": update.status.as_str(),
        "at": update.at.to_rfc3339_opts(SecondsFormat::Micros, true),
    });
    Event::default().event("status").id(update.version.to_string()).data(data.to_string())
}

/// Sleeps until this process commits something or the poll interval passes.
async fn wait(head: &mut watch::Receiver<u64>) {
    tokio::select! {
        changed = head.changed() => {
            if changed.is_err() {
                tokio::time::sleep(POLL_INTERVAL).await;
            }
        }
        () = tokio::time::sleep(POLL_INTERVAL) => {}
    }
}

async fn next(mut feed: Feed) -> Option<(Result<Event, Infallible>, Feed)> {
    loop {
        if let Some(update) = feed.pending.pop_front() {
            if update.version <= feed.seen {
                continue;
            }
            let event = status_event(feed.order_id, &update);
            return Some((Ok(event), feed));
        }
        if feed.ended {
            return None;
        }
        if let Some(status) = feed.follower.order().map(|o| o.status).filter(|s| is_final(*s)) {
            feed.ended = true;
            let data = json!({ "order_id": feed.order_id.to_string(), "status": status.as_str() });
            return Some((Ok(Event::default().event("end").data(data.to_string())), feed));
        }
        wait(&mut feed.head).await;
        match feed.follower.poll().await {
            Ok(updates) => feed.pending.extend(updates),
            Err(error) => {
                tracing::warn!(order_id = %feed.order_id, %error, "order feed stopped: reading the order's stream failed");
                return None;
            }
        }
    }
}

/// Live status changes of an order.
#[utoipa::path(
    get,
    path = "/api/v1/orders/{orderId}/events",
    tag = "orders",
    params(
        ("orderId" = String, Path, description = "The order's id"),
        ("Last-Event-ID" = Option<u64>, Header, description = "Resume after this event id"),
    ),
    responses(
        (status = 200, description = "`text/event-stream`: `status` events `{order_id, status, at}`, then `end` `{order_id, status}` at delivered/cancelled/refunded",
            content_type = "text/event-stream", body = String),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
        (status = 404, description = "No such order, or another customer's", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(actor = %caller.actor()))]
pub async fn order_events(
    State(state): State<ReadState>,
    caller: Caller,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let order_id: OrderId = path.ok().and_then(|Path(raw)| raw.trim().parse().ok()).ok_or_else(order_not_found)?;
    let mut follower = OrderFollower::new(state.events.clone(), order_id);
    let history = follower.poll().await?;
    if !follower.order().is_some_and(|o| caller.may_access(o.customer_id.as_uuid())) {
        return Err(order_not_found());
    }
    let seen =
        headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse().ok()).unwrap_or(0);
    let feed =
        Feed { order_id, follower, pending: history.into(), head: state.events.head_watch(), seen, ended: false };
    let sse = Sse::new(stream::unfold(feed, next)).keep_alive(KeepAlive::new().interval(KEEP_ALIVE));
    Ok(sse.into_response())
}
