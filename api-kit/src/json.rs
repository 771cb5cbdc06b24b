//! A JSON body extractor whose refusals answer in the envelope.
//!
//! It also refuses strings holding the NUL character (`\u0000`): PostgreSQL's JSONB,
//! where events and read models live, cannot store it, and no field of the shop has a
//! use for it, so it is a 400 naming the problem on every store rather than a 500 on one.

use crate::codes::ErrorCode;
use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use serde::de::DeserializeOwned;

use crate::envelope::FieldError;
use crate::error::ApiError;

/// Largest request body accepted anywhere (a product with 20 image URLs and a long
/// description fits); the HTTP application sets it as the body limit, and the
/// middleware that reads bodies itself honours it too.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Like `axum::Json`, but a bad body is a 400/413/415 in the envelope, with the
/// offending field named when serde can tell.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(request.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok())) {
            return Err(ApiError::unsupported_media_type("the body must be JSON with Content-Type: application/json"));
        }
        let body = Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::too_large("the body is larger than this endpoint accepts")
            } else {
                ApiError::new(ErrorCode::RequestUnreadableBody, clean(&rejection.body_text()))
            }
        })?;
        // serde would take `[…]` for a struct too (its fields in order): refuse it.
        if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(ApiError::new(ErrorCode::RequestNotAnObject, "the body must be a JSON object"));
        }
        if holds_nul(&body) {
            return Err(ApiError::new(
                ErrorCode::RequestNulCharacter,
                "strings may not contain the NUL character (\\u0000)",
            ));
        }
        match axum::Json::<T>::from_bytes(&body) {
            Ok(axum::Json(value)) => Ok(Self(value)),
            // JSON has one number type: `3.0` is the integer 3 to JSON Schema (and so to
            // the OpenAPI document and its clients), though serde refuses it for an
            // integer field. Only then is the body read again with such numbers made
            // integers; the first refusal stands if that does not help.
            Err(rejection @ JsonRejection::JsonDataError(_)) => {
                integers_as_integers(&body).map(Self).ok_or_else(|| reject(rejection))
            }
            Err(rejection) => Err(reject(rejection)),
        }
    }
}

/// `application/json` or any `application/…+json`, as `axum::Json` accepts.
fn is_json(content_type: Option<&str>) -> bool {
    let Some(essence) = content_type.and_then(|v| v.split(';').next()) else { return false };
    let essence = essence.trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Whether JSON text holds the escape `\u0000` (a raw NUL is invalid JSON anyway): a
/// `u0000` preceded by an odd run of backslashes (an even run is escaped backslashes).
fn holds_nul(json: &[u8]) -> bool {
    json.windows(5)
        .enumerate()
        .any(|(at, window)| window == b"u0000" && json[..at].iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 1)
}

/// The body with every whole-valued number (`3.0`, `1e3`) written as an integer,
/// deserialised as `T`; `None` when it still does not fit.
fn integers_as_integers<T: DeserializeOwned>(body: &[u8]) -> Option<T> {
    fn walk(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Number(number) if number.is_f64() => {
                // Within ±2^53 a double holds every integer exactly.
                if let Some(whole) = number.as_f64().filter(|f| f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0)
                {
                    *value = serde_json::Value::from(whole as i64);
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(walk),
            serde_json::Value::Object(fields) => fields.values_mut().for_each(walk),
            _ => {}
        }
    }
    let mut value: serde_json::Value = serde_json::from_slice(body).ok()?;
    walk(&mut value);
    serde_json::from_value(value).ok()
}

fn reject(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => {
            ApiError::unsupported_media_type("the body must be JSON with Content-Type: application/json")
        }
        JsonRejection::JsonDataError(error) => {
            let detail = error.body_text();
            let field = field_of(&detail);
            ApiError::invalid(vec![FieldError::new(field, ErrorCode::ValidationInvalid, clean(&detail))])
        }
        JsonRejection::JsonSyntaxError(error) => {
            ApiError::new(ErrorCode::RequestMalformedJson, clean(&error.body_text()))
        }
        JsonRejection::BytesRejection(error) if error.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::too_large("the body is larger than this endpoint accepts")
        }
        other => ApiError::new(ErrorCode::RequestUnreadableBody, clean(&other.body_text())),
    }
}

/// serde_path_to_error's path (`lines[0].quantity: …`), or serde's "unknown field `x`" / "missing field `x`".
fn field_of(detail: &str) -> String {
    let message = detail.strip_prefix("Failed to deserialize the JSON body into the target type: ").unwrap_or(detail);
    for marker in ["unknown field `", "missing field `"] {
        if let Some(start) = message.find(marker) {
            let rest = &message[start + marker.len()..];
            if let Some(end) = rest.find('`') {
                let name = &rest[..end];
                let prefix = message.split_once(": ").map(|(p, _)| p).filter(|p| !p.contains(' ') && *p != ".");
                return match prefix {
                    // serde_path_to_error already names the field itself in the path.
                    Some(p) if !p.is_empty() && p != name && !p.ends_with(&format!(".{name}")) => format!("{p}.{name}"),
                    _ => name.to_owned(),
                };
            }
        }
    }
    match message.split_once(": ") {
        Some((path, _)) if !path.contains(' ') && path != "." => path.to_owned(),
        _ => String::new(),
    }
}

/// Drops axum's boilerplate prefix and serde's "at line 1 column 9" tail.
fn clean(detail: &str) -> String {
    let message = detail
        .strip_prefix("Failed to deserialize the JSON body into the target type: ")
        .or_else(|| detail.strip_prefix("Failed to parse the request body as JSON: "))
        .unwrap_or(detail);
    let message = message.split(" at line ").next().unwrap_or(message);
    message.chars().take(300).collect()
}

#[cfg(test)]
mod nul_tests {
    use super::*;

    #[test]
    fn only_an_escaped_nul_counts() {
        assert!(holds_nul(br#"{"name":"a\u0000b"}"#));
        assert!(holds_nul(br#"{"a\u0000":1}"#));
        assert!(holds_nul(br#"["\\\u0000"]"#), "an escaped backslash, then the escape");
        assert!(!holds_nul(br#"{"name":"a\\u0000b"}"#), "an escaped backslash, then text");
        assert!(!holds_nul(br#"{"name":"u0000"}"#));
    }

    #[test]
    fn json_content_types_are_recognised() {
        assert!(is_json(Some("application/json")));
        assert!(is_json(Some("Application/JSON; charset=utf-8")));
        assert!(is_json(Some("application/merge-patch+json")));
        assert!(!is_json(Some("text/plain")));
        assert!(!is_json(None));
    }
}

#[cfg(test)]
mod tests {
    use super::field_of;

    #[test]
    fn names_the_field_serde_complains_about() {
        let prefix = "Failed to deserialize the JSON body into the target type: ";
        assert_eq!(
            field_of(&format!("{prefix}quantity: invalid value: integer `-1`, expected u32 at line 1 column 15")),
            "quantity"
        );
        assert_eq!(field_of(&format!("{prefix}lines[0].quantity: invalid type")), "lines[0].quantity");
        assert_eq!(field_of(&format!("{prefix}unknown field `colour`, expected one of `name`")), "colour");
        assert_eq!(field_of(&format!("{prefix}missing field `email` at line 1 column 2")), "email");
        assert_eq!(field_of(&format!("{prefix}role: unknown field `role`, expected one of `name`")), "role");
        assert_eq!(field_of(&format!("{prefix}shipping_address: missing field `city`")), "shipping_address.city");
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod number_tests {
    use serde::Deserialize;

    use super::integers_as_integers;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Line {
        quantity: i64,
        lines: Vec<u32>,
    }

    #[test]
    fn whole_numbers_written_as_decimals_are_integers_and_fractions_are_not() {
        let line: Line = integers_as_integers(br#"{"quantity": 281.0, "lines": [1e1, 2]}"#).unwrap();
        assert_eq!(line, Line { quantity: 281, lines: vec![10, 2] });
        assert!(integers_as_integers::<Line>(br#"{"quantity": 2.5, "lines": []}"#).is_none());
        assert!(integers_as_integers::<Line>(br#"{"quantity": 1e300, "lines": []}"#).is_none());
    }
}
