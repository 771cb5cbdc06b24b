//! What the seed's API gateway adds to every request: rate limits per client
//! ([`crate::rate_limits`]), security headers, CORS for the origins an operator allows
//! (none by default), a bound on how long one request may take, and gzip for clients
//! that accept it (answers over 32 bytes; never live feeds, whose events must not wait
//! in a compressor's buffer).
//!
//! Headers an endpoint sets itself (the account pages' and the unsubscribe page's
//! stricter policies) are kept; the rest get safe defaults here:
//! `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`,
//! `X-Frame-Options: DENY`, a Content-Security-Policy on HTML, and HSTS when the
//! shop's public URL is https (a browser that once saw it never uses plain http again).

use emporium_api_kit::ErrorCode;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use emporium_api_kit::ApiError;
use emporium_infra::rate_limits::RateLimitStore;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::client_address::TrustedProxies;
use crate::rate_limits::{Quotas, RateLimits};

/// The policy of HTML pages that set none: their own scripts and styles (Swagger UI
/// styles inline), nothing from elsewhere, never framed.
const HTML_POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
                           frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
/// HSTS: a year.
const HSTS: &str = "max-age=31536000";

/// How the gateway layer is set up.
#[derive(Debug, Clone)]
pub struct GatewaySettings {
    /// The rate limits per client.
    pub quotas: Quotas,
    /// Where the rate limits count.
    pub store: RateLimitStore,
    /// Proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: TrustedProxies,
    /// Origins allowed to call the API from a browser (`https://shop.example`).
    pub cors_origins: Vec<HeaderValue>,
    /// Send HSTS (the public URL is https).
    pub hsts: bool,
    /// The longest one request may take before it is answered 503.
    pub request_timeout: Duration,
}

/// Wraps `routes` with the gateway's layers (and starts forgetting idle clients).
/// Limits, timeout and headers are one middleware: each `from_fn` layer costs a boxed
/// future per request, which showed on the cheapest requests.
pub fn wrap(routes: Router, settings: &GatewaySettings) -> Router {
    let gate = Arc::new(Gate {
        limits: RateLimits::new(settings.quotas, &settings.store),
        proxies: settings.trusted_proxies.clone(),
        timeout: settings.request_timeout,
        hsts: settings.hsts,
    });
    gate.limits.spawn_forgetting();
    let mut routes =
        routes.layer(axum::middleware::from_fn(move |request: Request, next: Next| guard(gate.clone(), request, next)));
    if !settings.cors_origins.is_empty() {
        routes = routes.layer(cors(settings.cors_origins.clone()));
    }
    // tower-http's default predicate already skips small answers, images and
    // `text/event-stream`.
    routes.layer(CompressionLayer::new().gzip(true))
}

/// CORS for exactly `origins`: the API's methods, bearer tokens and the headers the
/// API reads; its position headers readable by the page.
fn cors(origins: Vec<HeaderValue>) -> CorsLayer {
    use axum::http::HeaderName;
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE, Method::PATCH])
        .allow_headers([
            axum::http::header::AUTHORIZATION,
            CONTENT_TYPE,
            HeaderName::from_static("idempotency-key"),
            HeaderName::from_static("x-emporium-min-position"),
            HeaderName::from_static("x-request-id"),
            HeaderName::from_static("last-event-id"),
        ])
        .expose_headers([
            HeaderName::from_static("x-emporium-position"),
            HeaderName::from_static("x-request-id"),
            HeaderName::from_static("retry-after"),
        ])
        .max_age(Duration::from_secs(600))
}

/// What the gateway middleware needs.
struct Gate {
    limits: RateLimits,
    proxies: TrustedProxies,
    timeout: Duration,
    hsts: bool,
}

/// Refuses a client over its quota; answers 503 `request.timeout` when the handler has
/// not answered within the timeout (a streamed body, such as an order's live feed, is
/// not cut: its handler has answered); adds the security headers to every answer.
async fn guard(gate: Arc<Gate>, request: Request, next: Next) -> Response {
    let mut response = match gate.limits.refusal(gate.proxies.client_of(&request), request.uri().path()).await {
        Some(refused) => refused,
        None => match tokio::time::timeout(gate.timeout, next.run(request)).await {
            Ok(response) => response,
            Err(_) => {
                tracing::warn!(timeout_ms = gate.timeout.as_millis() as u64, "request timed out");
                ApiError::retry_later(ErrorCode::RequestTimeout, "the request took too long; retry shortly", 1)
                    .into_response()
            }
        },
    };
    secure(&mut response, gate.hsts);
    response
}

fn secure(response: &mut Response, hsts: bool) {
    let is_html = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().get(..9).is_some_and(|kind| kind.eq_ignore_ascii_case("text/html")));
    let headers = response.headers_mut();
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.entry(REFERRER_POLICY).or_insert(HeaderValue::from_static("no-referrer"));
    headers.entry(X_FRAME_OPTIONS).or_insert(HeaderValue::from_static("DENY"));
    if is_html {
        headers.entry(CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(HTML_POLICY));
    }
    if hsts {
        headers.insert(STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
}
