//! Liveness and readiness probes, as Kubernetes and load balancers use them.
//!
//! `/health/ready` answers 503 when the event store does not answer or when a consumer
//! of this process (projector, saga, dispatcher) has stopped or failed, naming it. Its
//! detail lists every consumer's condition and position, the read models' applied
//! position, and the parked messages found in this process's stores.

use emporium_api_kit::ErrorCode;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use emporium_api_kit::position::AppliedPosition;
use emporium_infra::event_store::EventStore;
use emporium_infra::follow::health::Condition;
use emporium_infra::follow::{Health, ParkedMessage, parked};
use emporium_infra::read_store::ReadStore;
use serde_json::{Value, json};

/// Parked messages listed in the readiness detail, at most.
const PARKED_SHOWN: usize = 20;

/// What readiness looks at.
#[derive(Clone)]
pub struct HealthState {
    /// The event store must answer a head query.
    pub events: Arc<dyn EventStore>,
    /// The consumers running in this process.
    pub consumers: Health,
    /// How far the read models got, when this process serves reads.
    pub applied: Option<AppliedPosition>,
    /// Stores whose parked messages are shown (read store, process-manager store).
    pub parked_in: Vec<Arc<dyn ReadStore>>,
}

/// `/health` and `/health/ready`.
pub fn router(state: HealthState) -> Router {
    Router::new().route("/health", get(live)).route("/health/ready", get(ready)).with_state(state)
}

async fn live() -> Json<Value> {
    Json(json!({ "success": true, "data": { "status": "ok" }, "message": "alive", "errors": [] }))
}

async fn ready(State(state): State<HealthState>) -> Response {
    let head = match state.events.head_position().await {
        Ok(head) => head,
        Err(error) => {
            tracing::error!(error = %error, "readiness: event store unavailable");
            let body = json!({
                "success": false,
                "data": { "status": "unavailable" },
                "message": "the event store is unavailable",
                "errors": [{ "code": ErrorCode::HealthEventStoreUnavailable }],
            });
            return (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response();
        }
    };
    let consumers = state.consumers.consumers();
    let stopped: Vec<&str> = consumers
        .iter()
        .filter(|c| matches!(c.condition, Condition::Stopped | Condition::Failed))
        .map(|c| c.name.as_str())
        .collect();
    let parked = parked_messages(&state.parked_in).await;
    let projections = match &state.applied {
        Some(applied) => match applied.current().await {
            Ok(position) => json!({ "applied_position": position, "lag": head.saturating_sub(position) }),
            Err(error) => json!({ "error": error.to_string() }),
        },
        None => Value::Null,
    };
    let consumers_detail: Vec<Value> = consumers
        .iter()
        .map(|c| {
            json!({
                "name": c.name, "source": c.source, "condition": c.condition, "position": c.position,
                "lag": head.saturating_sub(c.position), "parked": c.parked, "error": c.error,
            })
        })
        .collect();
    let data = json!({
        "status": if stopped.is_empty() { "ready" } else { "degraded" },
        "event_store": { "head_position": head },
        "projections": projections,
        "consumers": consumers_detail,
        "parked": parked,
    });
    if stopped.is_empty() {
        (StatusCode::OK, Json(json!({ "success": true, "data": data, "message": "ready", "errors": [] })))
            .into_response()
    } else {
        let errors: Vec<Value> =
            stopped.iter().map(|name| json!({ "code": ErrorCode::HealthConsumerStopped, "field": name })).collect();
        let body = json!({
            "success": false,
            "data": data,
            "message": format!("consumer stopped: {}", stopped.join(", ")),
            "errors": errors,
        });
        (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
    }
}

/// How many messages are parked in `stores`, and the first few of them.
async fn parked_messages(stores: &[Arc<dyn ReadStore>]) -> Value {
    let mut all: Vec<ParkedMessage> = Vec::new();
    for store in stores {
        match parked::list(store.as_ref(), None).await {
            Ok(entries) => all.extend(entries),
            Err(error) => return json!({ "error": error.to_string() }),
        }
    }
    let shown: Vec<&ParkedMessage> = all.iter().take(PARKED_SHOWN).collect();
    json!({ "count": all.len(), "messages": shown })
}
