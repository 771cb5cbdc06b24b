//! The HTTP application: both APIs, health, request ids, body limits, and answers
//! in the envelope for unknown routes and methods.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use emporium_api_kit::ApiError;
use emporium_api_kit::ErrorCode;
use emporium_api_kit::json::MAX_BODY_BYTES;

/// Wraps the routes with what every request gets.
pub fn finish(routes: Router) -> Router {
    routes
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(refuse_oversized_bodies))
        .layer(axum::middleware::from_fn(emporium_api_kit::context::request_id))
}

/// Bodies up to this size are read and discarded before a 413, so the client gets
/// the answer instead of a reset connection; larger ones are cut off.
const MAX_DRAINED_BYTES: usize = 16 * 1024 * 1024;

/// Answers 413 in the envelope for a declared `Content-Length` above the limit, after
/// draining the body, and closes the connection on every 413 so no client reuses a
/// connection whose request body was left unread.
async fn refuse_oversized_bodies(request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let mut response = match declared {
        Some(length) if length > MAX_BODY_BYTES => {
            if length <= MAX_DRAINED_BYTES {
                let _ = axum::body::to_bytes(request.into_body(), MAX_DRAINED_BYTES).await;
            }
            ApiError::too_large(format!("the body is larger than {MAX_BODY_BYTES} bytes")).into_response()
        }
        _ => next.run(request).await,
    };
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

async fn not_found() -> impl IntoResponse {
    ApiError::new(ErrorCode::RouteNotFound, "no such endpoint")
}

async fn method_not_allowed() -> impl IntoResponse {
    let mut error = ApiError::new(ErrorCode::RouteMethodNotAllowed, "this endpoint does not take that method");
    error.status = StatusCode::METHOD_NOT_ALLOWED;
    error
}
