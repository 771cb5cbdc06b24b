//! `GET /api/v1/orders/{orderId}/events`: the order's status as Server-Sent Events.
//!
//! The feed first replays the status history, then sends each new status as it
//! happens (see [`super::follow`] for why it follows the order's own stream), with
//! keep-alive comments in between. Each `status` event carries the stream version
//! as its id, so a client reconnecting with `Last-Event-ID` gets only what it
//! missed. An `end` event closes the feed once the order is delivered, cancelled or
//! refunded; a client that disconnects simply drops it.
//!
//! Open feeds are capped, per customer ([`MAX_FEEDS_PER_CUSTOMER`]) and per process
//! ([`MAX_FEEDS`]): each holds a connection and polls the log, so an uncapped endpoint
//! is a cheap way to exhaust the server. Beyond the cap the answer is 429 (the
//! customer's share) or 503 (the process's), both with `Retry-After`.

use emporium_api_kit::ErrorCode;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use emporium_api_kit::{ApiError, Caller, Envelope};
use emporium_domain::ids::OrderId;
use emporium_projections::models::timestamp;
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

/// Most feeds one customer may hold open at once.
pub const MAX_FEEDS_PER_CUSTOMER: usize = 5;
/// Most feeds open at once in this process.
pub const MAX_FEEDS: usize = 1_000;

/// Open feeds by customer.
static OPEN_FEEDS: std::sync::Mutex<Option<std::collections::HashMap<uuid::Uuid, usize>>> = std::sync::Mutex::new(None);

/// One open feed, counted until dropped (when the client goes or the feed ends).
struct FeedPlace(uuid::Uuid);

impl FeedPlace {
    fn take(customer: uuid::Uuid) -> Result<Self, ApiError> {
        let mut open = OPEN_FEEDS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let open = open.get_or_insert_with(Default::default);
        if open.values().sum::<usize>() >= MAX_FEEDS {
            return Err(ApiError::retry_later(
                ErrorCode::ServerBusy,
                "too many live order feeds are open; retry later",
                5,
            ));
        }
        let mine = open.entry(customer).or_default();
        if *mine >= MAX_FEEDS_PER_CUSTOMER {
            return Err(ApiError::retry_later(
                ErrorCode::OrderTooManyFeeds,
                format!("at most {MAX_FEEDS_PER_CUSTOMER} live order feeds per customer; close one first"),
                5,
            ));
        }
        *mine += 1;
        Ok(Self(customer))
    }
}

impl Drop for FeedPlace {
    fn drop(&mut self) {
        let mut open = OPEN_FEEDS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(open) = open.as_mut()
            && let Some(mine) = open.get_mut(&self.0)
        {
            *mine -= 1;
            if *mine == 0 {
                open.remove(&self.0);
            }
        }
    }
}

/// A feed between two events.
struct Feed {
    /// Its place among the open feeds, given back when the feed is dropped.
    _place: FeedPlace,
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
        "at": timestamp(update.at),
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
        (status = 429, description = "`order.too_many_feeds`: the customer has the most feeds open already", body = Envelope<String>),
        (status = 503, description = "`server.busy`: the process has the most feeds open already", body = Envelope<String>),
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
    let _place = FeedPlace::take(caller.customer_id)?;
    let feed = Feed {
        _place,
        order_id,
        follower,
        pending: history.into(),
        head: state.events.head_watch(),
        seen,
        ended: false,
    };
    let sse = Sse::new(stream::unfold(feed, next)).keep_alive(KeepAlive::new().interval(KEEP_ALIVE));
    Ok(sse.into_response())
}
