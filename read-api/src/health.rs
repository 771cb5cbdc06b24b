//! Liveness and readiness probes, as Kubernetes and load balancers use them.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use emporium_infra::event_store::EventStore;
use serde_json::json;
use tokio::sync::watch;

/// What readiness looks at.
#[derive(Clone)]
pub struct HealthState {
    /// The event store must answer a head query.
    pub events: Arc<dyn EventStore>,
    /// Position the projections have applied, when they run in this process.
    pub projected: Option<watch::Receiver<u64>>,
}

/// `/health` and `/health/ready`.
pub fn router(state: HealthState) -> Router {
    Router::new().route("/health", get(live)).route("/health/ready", get(ready)).with_state(state)
}

async fn live() -> Json<serde_json::Value> {
    Json(json!({ "success": true, "data": { "status": "ok" }, "message": "alive", "errors": [] }))
}

async fn ready(State(state): State<HealthState>) -> Response {
    match state.events.head_position().await {
        Ok(head) => {
            let projected = state.projected.as_ref().map(|p| *p.borrow());
            let data = json!({
                "status": "ready",
                "event_store": { "head_position": head },
                "projections": projected.map(|p| json!({ "applied_position": p, "lag": head.saturating_sub(p) })),
            });
            (StatusCode::OK, Json(json!({ "success": true, "data": data, "message": "ready", "errors": [] })))
                .into_response()
        }
        Err(error) => {
            tracing::error!(error = %error, "readiness: event store unavailable");
            let body = json!({
                "success": false,
                "data": { "status": "unavailable" },
                "message": "the event store is unavailable",
                "errors": [{ "code": "health.event_store_unavailable" }],
            });
            (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
        }
    }
}
