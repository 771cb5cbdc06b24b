//! Request ids: every response carries `X-Request-Id`, every log line of the request
//! and every event it causes carry it as the correlation id.

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use emporium_infra::event_store::EventMetadata;
use tracing::Instrument;
use uuid::Uuid;

/// `X-Request-Id`.
pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The request's id and trace context, as handlers pass them into commands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestContext {
    /// The request id (a client's own UUID is kept; anything else is replaced).
    pub request_id: Uuid,
    /// The W3C `traceparent` header, if the client sent one.
    pub traceparent: Option<String>,
}

impl RequestContext {
    /// Event metadata for a command caused by this request.
    pub fn metadata(&self, actor: impl Into<String>) -> EventMetadata {
        EventMetadata {
            correlation_id: Some(self.request_id),
            causation_id: None,
            actor: Some(actor.into()),
            traceparent: self.traceparent.clone(),
        }
    }
}

/// Middleware: assigns the request id, opens the request's span, echoes the id.
pub async fn request_id(mut request: Request, next: Next) -> Response {
    let request_id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| Uuid::parse_str(v).ok())
        .unwrap_or_else(Uuid::now_v7);
    let traceparent = request
        .headers()
        .get("traceparent")
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= 128)
        .map(str::to_owned);
    let span = tracing::info_span!("request", %request_id, method = %request.method(), path = %request.uri().path());
    request.extensions_mut().insert(RequestContext { request_id, traceparent });
    let started = std::time::Instant::now();
    let mut response = next.run(request).instrument(span.clone()).await;
    span.in_scope(|| {
        tracing::info!(
            status = response.status().as_u16(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "request finished"
        );
    });
    if let Ok(value) = HeaderValue::from_str(&request_id.to_string()) {
        response.headers_mut().insert(REQUEST_ID.clone(), value);
    }
    response
}

impl<S: Send + Sync> FromRequestParts<S> for RequestContext {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<RequestContext>()
            .cloned()
            .unwrap_or_else(|| RequestContext { request_id: Uuid::now_v7(), traceparent: None }))
    }
}
