//! The API error: a status, a stable code, a message and field errors; rendered in
//! the envelope. This is the only place that maps failures to HTTP statuses.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::codes::ErrorCode;
use crate::envelope::{Envelope, FieldError};

/// A failed request.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The HTTP status: the code's own (see [`ErrorCode::status`]).
    pub status: StatusCode,
    /// A stable code (`order.not_found`), repeated as the first error's code.
    pub code: ErrorCode,
    /// A message for people.
    pub message: String,
    /// Field errors.
    pub errors: Vec<FieldError>,
    /// Seconds for `Retry-After` (429 and 503).
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// An answer with `code`, at the status the table gives it.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { status: code.status(), code, message: message.into(), errors: Vec::new(), retry_after: None }
    }

    /// 400 with one error per offending field.
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let message = match errors.as_slice() {
            [one] => format!("{}: {}", one.field, one.message),
            _ => format!("{} fields are invalid", errors.len()),
        };
        Self { errors, ..Self::new(ErrorCode::ValidationFailed, message) }
    }

    /// 400 for one field.
    pub fn field(field: &str, code: ErrorCode, message: impl Into<String>) -> Self {
        Self::invalid(vec![FieldError::new(field, code, message)])
    }

    /// A domain refusal by its code (the domain's own, such as `order.invalid_transition`),
    /// at the status the table gives it; 400s name `field`. A code missing from the
    /// table is a bug: logged, and answered 500.
    pub fn refusal(code: &str, field: &str, message: impl Into<String>) -> Self {
        match ErrorCode::parse(code) {
            Some(known) if known.status() == StatusCode::BAD_REQUEST => Self::field(field, known, message),
            Some(known) => Self::new(known, message),
            None => {
                tracing::error!(code, "a domain error code is missing from the error-code table");
                Self::new(ErrorCode::Internal, "something went wrong on our side")
            }
        }
    }

    /// 401: no valid token.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::AuthUnauthorized, message)
    }

    /// 403: the caller's role does not allow this.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::AuthForbidden, message)
    }

    /// 413: the body is too large.
    pub fn too_large(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::RequestTooLarge, message)
    }

    /// 415: the body is not JSON.
    pub fn unsupported_media_type(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::RequestUnsupportedMediaType, message)
    }

    /// A 429 or 503 answer asking to retry after `seconds` (`Retry-After`).
    pub fn retry_later(code: ErrorCode, message: impl Into<String>, seconds: u64) -> Self {
        Self { retry_after: Some(seconds), ..Self::new(code, message) }
    }

    /// A read-store failure: 503 `read_model.unavailable` with `Retry-After` when the
    /// store is out of reach, else a 500.
    pub fn read_store(error: &emporium_infra::read_store::ReadStoreError) -> Self {
        if error.is_unavailable() {
            tracing::warn!(%error, "read store unavailable; answering 503");
            return Self::retry_later(
                ErrorCode::ReadModelUnavailable,
                "the read models are unavailable; retry shortly",
                2,
            );
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
        Self::new(ErrorCode::Internal, "something went wrong on our side")
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
            errors.push(FieldError::new("", self.code, self.message.clone()));
        }
        let body: Envelope<()> = Envelope { success: false, data: None, message: self.message, errors };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
