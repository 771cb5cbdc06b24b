//! `Idempotency-Key`: a POST repeated with the same key and body answers with the
//! first response and appends nothing new.
//!
//! Keys are scoped by caller: the bearer token's subject, or for a guest the request
//! itself (so one guest can never be handed the answer to another guest's request
//! that happened to use the same key). The first answer (any status below 500) is
//! stored in the account store with a hash of the method, path and body, and kept
//! for [`DEFAULT_TTL`] unless set otherwise; a repeat with a different request is
//! refused with 409 `idempotency.key_reused`. Requests with the same key are
//! serialised within a process, so two concurrent retries cannot both run the handler.
//!
//! Answers marked `Cache-Control: no-store` (login and refresh, whose bodies are live
//! credentials) are never stored: a replay would hand out a session again and sidestep
//! refresh-token rotation. The body is read under the same [`MAX_BODY_BYTES`] limit as
//! every other body, whether or not it declares its length.

use crate::codes::ErrorCode;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use emporium_infra::accounts::{AccountStore, IdempotentResponse};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::json::MAX_BODY_BYTES;
use crate::token::TokenKeys;

/// `Idempotency-Key`.
pub static IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
/// Set on a replayed answer.
pub static REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
/// Longest key accepted.
const MAX_KEY_LEN: usize = 255;
/// Largest body a replayable answer may have.
const MAX_STORED_BODY: usize = 1024 * 1024;
/// How long a stored answer is replayed, unless set otherwise.
pub const DEFAULT_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// Headers of the first answer that a replay repeats.
const REPLAYED_HEADERS: [&str; 3] = ["content-type", "location", "x-emporium-position"];

/// What the middleware needs.
#[derive(Clone)]
pub struct Idempotency {
    accounts: Arc<dyn AccountStore>,
    keys: TokenKeys,
    ttl: Duration,
    in_flight: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
}

impl Idempotency {
    /// Records answers in `accounts` for [`DEFAULT_TTL`]; scopes keys by the subject of
    /// tokens signed with `keys`.
    pub fn new(accounts: Arc<dyn AccountStore>, keys: TokenKeys) -> Self {
        Self { accounts, keys, ttl: DEFAULT_TTL, in_flight: Arc::default() }
    }

    /// Replays stored answers for `ttl` (at least a second) instead of [`DEFAULT_TTL`].
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl.max(Duration::from_secs(1));
        self
    }

    /// The signed-in caller's subject, or for a guest the request's own hash.
    fn scope(&self, request: &Request, request_hash: &str) -> String {
        request
            .headers()
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .and_then(|token| self.keys.verify(token.trim(), chrono::Utc::now().timestamp()).ok())
            .map_or_else(|| format!("guest:{request_hash}"), |claims| claims.sub)
    }

    /// Answers stored before this are expired.
    fn fresh_since(&self) -> chrono::DateTime<chrono::Utc> {
        let ttl = chrono::Duration::from_std(self.ttl).unwrap_or(chrono::Duration::MAX);
        chrono::Utc::now().checked_sub_signed(ttl).unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC)
    }

    fn lock_for(&self, slot: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self.in_flight.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.entry(slot.to_owned()).or_default().clone()
    }

    fn release(&self, slot: &str, lock: Arc<tokio::sync::Mutex<()>>) {
        let mut map = self.in_flight.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        drop(lock);
        if map.get(slot).is_some_and(|l| Arc::strong_count(l) == 1) {
            map.remove(slot);
        }
    }
}

/// Middleware (use with `axum::middleware::from_fn_with_state`).
pub async fn idempotency(State(state): State<Idempotency>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let Some(key) = request.headers().get(&IDEMPOTENCY_KEY).cloned() else {
        return next.run(request).await;
    };
    let key = match key.to_str() {
        Ok(k) if !k.trim().is_empty() && k.len() <= MAX_KEY_LEN => k.trim().to_owned(),
        _ => {
            return ApiError::field(
                "Idempotency-Key",
                ErrorCode::ValidationInvalid,
                format!("must be 1 to {MAX_KEY_LEN} visible characters"),
            )
            .into_response();
        }
    };
    let (parts, body) = request.into_parts();
    let body = match to_bytes(body, MAX_BODY_BYTES).await {
        Ok(body) => body,
        Err(_) => {
            return ApiError::too_large(format!("the body is larger than {MAX_BODY_BYTES} bytes")).into_response();
        }
    };
    let request_hash = request_hash(&parts.method, parts.uri.path(), &body);
    let request = Request::from_parts(parts, Body::from(body));
    let scope = state.scope(&request, &request_hash);
    let slot = format!("{scope}\u{0}{key}");
    let lock = state.lock_for(&slot);
    let response = {
        let _held = lock.lock().await;
        match state.accounts.idempotent_response(&scope, &key, state.fresh_since()).await {
            Ok(Some(stored)) if stored.request_hash == request_hash => replay(&stored),
            Ok(Some(_)) => {
                ApiError::new(ErrorCode::IdempotencyKeyReused, "this Idempotency-Key was used for a different request")
                    .into_response()
            }
            Ok(None) => {
                let response = next.run(request).await;
                remember(&state, &scope, &key, request_hash, response).await
            }
            Err(error) => ApiError::internal(&error).into_response(),
        }
    };
    state.release(&slot, lock);
    response
}

fn request_hash(method: &Method, path: &str, body: &Bytes) -> String {
    let mut hasher = Sha256::new();
    hasher.update(method.as_str());
    hasher.update([0]);
    hasher.update(path);
    hasher.update([0]);
    hasher.update(body);
    hex::encode(hasher.finalize())
}

async fn remember(state: &Idempotency, scope: &str, key: &str, request_hash: String, response: Response) -> Response {
    if response.status().is_server_error() || carries_credentials(&response) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(body) = to_bytes(body, MAX_STORED_BODY).await else {
        return ApiError::internal(&std::io::Error::other("response too large to store for idempotency"))
            .into_response();
    };
    let headers = REPLAYED_HEADERS
        .iter()
        .filter_map(|name| {
            parts.headers.get(*name).and_then(|v| v.to_str().ok()).map(|v| ((*name).to_owned(), v.to_owned()))
        })
        .collect();
    let stored = IdempotentResponse { request_hash, status: parts.status.as_u16(), headers, body: body.to_vec() };
    if let Err(error) = state.accounts.save_idempotent_response(scope, key, &stored, state.fresh_since()).await {
        tracing::error!(%error, "could not store an idempotent response; a retry will run again");
    }
    Response::from_parts(parts, Body::from(body))
}

/// Whether the answer says it must not be kept (`Cache-Control: no-store`), as every
/// answer carrying tokens does.
fn carries_credentials(response: &Response) -> bool {
    response
        .headers()
        .get_all(CACHE_CONTROL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|directive| directive.trim().eq_ignore_ascii_case("no-store"))
}

fn replay(stored: &IdempotentResponse) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut response = (status, stored.body.clone()).into_response();
    for (name, value) in &stored.headers {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name.as_str()), HeaderValue::from_str(value)) {
            response.headers_mut().insert(name, value);
        }
    }
    response.headers_mut().insert(REPLAYED.clone(), HeaderValue::from_static("true"));
    response
}
