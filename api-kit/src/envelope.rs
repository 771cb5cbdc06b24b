//! The seed's response envelope, used by every endpoint.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::codes::ErrorCode;

/// One problem with the input: which field, which rule, what to tell a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// The field's name as sent (snake_case), or empty for the body as a whole.
    pub field: String,
    /// A stable code, e.g. `validation.required`, `inventory.insufficient_stock`.
    pub code: String,
    /// A human-readable explanation.
    pub message: String,
}

impl FieldError {
    /// A field error.
    pub fn new(field: impl Into<String>, code: ErrorCode, message: impl Into<String>) -> Self {
        Self { field: field.into(), code: code.as_str().to_owned(), message: message.into() }
    }
}

/// `{"success": bool, "data": …, "message": str, "errors": [...]}`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Envelope<T> {
    /// True for 2xx answers.
    pub success: bool,
    /// The payload; `null` on errors.
    pub data: Option<T>,
    /// A short summary for people.
    pub message: String,
    /// Field errors (empty on success).
    pub errors: Vec<FieldError>,
}

impl<T: Serialize> Envelope<T> {
    /// A successful envelope.
    pub fn ok(data: T, message: impl Into<String>) -> Self {
        Self { success: true, data: Some(data), message: message.into(), errors: Vec::new() }
    }
}

/// A 200 answer in the envelope.
pub fn ok<T: Serialize>(data: T) -> Response {
    (StatusCode::OK, Json(Envelope::ok(data, "ok"))).into_response()
}

/// A 201 answer with `Location`.
pub fn created<T: Serialize>(location: &str, data: T) -> Response {
    let mut response = (StatusCode::CREATED, Json(Envelope::ok(data, "created"))).into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}
