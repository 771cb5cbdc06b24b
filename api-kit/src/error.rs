//! The API error: a status, a stable code, a message and field errors; rendered in
//! the envelope. This is the only place that maps failures to HTTP statuses.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::envelope::{Envelope, FieldError};

/// A failed request.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// A stable code (`order.not_found`), repeated as the first error's code.
    pub code: String,
    /// A message for people.
    pub message: String,
    /// Field errors.
    pub errors: Vec<FieldError>,
    /// Seconds for `Retry-After` (503).
    pub retry_after: Option<u64>,
}

impl ApiError {
    fn new(status: StatusCode, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self { status, code: code.into(), message: message.into(), errors: Vec::new(), retry_after: None }
    }

    /// 400: the input is malformed or breaks a rule.
    pub fn bad_request(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 400 with one error per offending field.
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let message = match errors.as_slice() {
            [one] => format!("{}: {}", one.field, one.message),
            _ => format!("{} fields are invalid", errors.len()),
        };
        Self { errors, ..Self::new(StatusCode::BAD_REQUEST, "validation.failed", message) }
    }

    /// 400 for one field.
    pub fn field(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self::invalid(vec![FieldError::new(field, code, message)])
    }

    /// 401: no valid token.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "auth.unauthorized", message)
    }

    /// 403: the caller's role does not allow this.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "auth.forbidden", message)
    }

    /// 404 (also for other customers' resources: no hint that they exist).
    pub fn not_found(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    /// 409: a conflict with the current state.
    pub fn conflict(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    /// 413: the body is too large.
    pub fn too_large(message: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "request.too_large", message)
    }

    /// 415: the body is not JSON.
    pub fn unsupported_media_type(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "request.unsupported_media_type", message)
    }

    /// 429 with `Retry-After`: the caller sent more than its share.
    pub fn too_many_requests(code: impl Into<String>, message: impl Into<String>, retry_after: u64) -> Self {
        Self { retry_after: Some(retry_after), ..Self::new(StatusCode::TOO_MANY_REQUESTS, code, message) }
    }

    /// 503 with `Retry-After`.
    pub fn unavailable(code: impl Into<String>, message: impl Into<String>, retry_after: u64) -> Self {
        Self { retry_after: Some(retry_after), ..Self::new(StatusCode::SERVICE_UNAVAILABLE, code, message) }
    }

    /// A read-store failure: 503 `read_model.unavailable` with `Retry-After` when the
    /// store is out of reach, else a 500.
    pub fn read_store(error: &emporium_infra::read_store::ReadStoreError) -> Self {
        if error.is_unavailable() {
            tracing::warn!(%error, "read store unavailable; answering 503");
            return Self::unavailable("read_model.unavailable", "the read models are unavailable; retry shortly", 2);
        }
        Self::internal(error)
    }

    /// 500: logs the whole cause chain, shows the client nothing internal.
    pub fn internal(error: &(dyn std::error::Error + 'static)) -> Self {
        let mut chain = error.to_string();
        let mut source = error.source();
        while let Some(cause) = source {
            chain.push_str(": ");
            chain.push_str(&cause.to_string());
            source = cause.source();
        }
        tracing::error!(error = %chain, "internal error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "something went wrong on our side")
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut errors = self.errors;
        if errors.is_empty() {
            errors.push(FieldError::new("", self.code.clone(), self.message.clone()));
        }
        let body: Envelope<()> = Envelope { success: false, data: None, message: self.message, errors };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
