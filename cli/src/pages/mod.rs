//! The two pages mailed links open: `/verify-email?token=…` and
//! `/reset-password?token=…`. Static HTML with one script that posts the token to the
//! API (`POST /api/v1/users/verify-email`, `POST /api/v1/users/reset-password`), so the
//! links in the mail work without a separate storefront.
//!
//! The token travels in the link, so the pages are sent with `Referrer-Policy:
//! no-referrer` and `Cache-Control: no-store`, the script removes it from the address
//! bar, and a strict Content-Security-Policy allows only this origin's script, style
//! and API.

use axum::Router;
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY};
use axum::http::{HeaderName, HeaderValue};
use axum::response::IntoResponse;
use axum::routing::get;

const VERIFY_EMAIL: &str = include_str!("verify-email.html");
const RESET_PASSWORD: &str = include_str!("reset-password.html");
const SCRIPT: &str = include_str!("account.js");
const STYLE: &str = include_str!("account.css");

const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
                      form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

/// `GET /verify-email`, `GET /reset-password` and their script and style.
pub fn router() -> Router {
    Router::new()
        .route("/verify-email", get(|| async { page(VERIFY_EMAIL) }))
        .route("/reset-password", get(|| async { page(RESET_PASSWORD) }))
        .route("/assets/account.js", get(|| async { asset("text/javascript; charset=utf-8", SCRIPT) }))
        .route("/assets/account.css", get(|| async { asset("text/css; charset=utf-8", STYLE) }))
}

fn page(html: &'static str) -> impl IntoResponse {
    let headers: [(HeaderName, HeaderValue); 4] = [
        (CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
        (CONTENT_SECURITY_POLICY, HeaderValue::from_static(POLICY)),
        (REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
        (CACHE_CONTROL, HeaderValue::from_static("no-store")),
    ];
    (headers, html)
}

fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    let headers: [(HeaderName, HeaderValue); 2] = [
        (CONTENT_TYPE, HeaderValue::from_static(content_type)),
        (CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
    ];
    (headers, body)
}
