//! `GET` and `POST /api/v1/notifications/unsubscribe?token=…`: the link in every
//! campaign message. `GET` (what a click, and every mail scanner that follows links,
//! sends) changes nothing: it checks the token and shows a page whose button POSTs
//! back. `POST` (that button, and the one-click unsubscribe of mail clients, RFC 8058)
//! opts the customer out of marketing (the customer's `ChangeProfile` with their
//! current name and phone); repeating it changes nothing. A browser (`Accept:
//! text/html`) gets a small page instead of JSON.

use axum::extract::{RawQuery, State};
use axum::http::header::{ACCEPT, CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{Html, IntoResponse, Response};
use chrono::Utc;
use emporium_api_kit::ErrorCode;
use emporium_api_kit::envelope::ok;
use emporium_api_kit::position::with_position;
use emporium_api_kit::{ApiError, Envelope, RequestContext};
use emporium_domain::customer::{Customer, CustomerCommand};
use emporium_domain::ids::CustomerId;

use super::answers::Unsubscribed;
use super::unsubscribe_key;
use crate::command::run;
use crate::errors::command_error;
use crate::state::WriteState;
use crate::users::account;

/// What a browser shows after unsubscribing.
const PAGE: &str = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Unsubscribed</title></head>\n\
<body>\n<h1>You are unsubscribed</h1>\n<p>You will receive no more news and offers from Emporium. Messages about your orders still reach you.</p>\n\
</body></html>\n";

/// The pages' policy: no scripts, no styles, the form posts back here only.
const POLICY: &str = "default-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Shows the confirmation page of the link a person clicks; changes nothing.
#[utoipa::path(
    get,
    path = "/api/v1/notifications/unsubscribe",
    tag = "notifications",
    params(("token" = String, Query, description = "The token of the mailed link")),
    responses(
        (status = 200, description = "A page asking to confirm; nothing changes until its button POSTs", content_type = "text/html", body = String),
        (status = 400, description = "No token, or not a genuine one", body = Envelope<String>),
    )
)]
pub async fn unsubscribe_get(State(state): State<WriteState>, RawQuery(query): RawQuery) -> Result<Response, ApiError> {
    let token = genuine_token(&state, query.as_deref())?.0;
    // The token is base64url (checked by its signature), so it needs no escaping.
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Unsubscribe</title></head>\n\
         <body>\n<h1>Unsubscribe from Emporium's news and offers?</h1>\n\
         <form method=\"post\" action=\"/api/v1/notifications/unsubscribe?token={token}\">\n\
         <button type=\"submit\">Unsubscribe</button>\n</form>\n\
         <p>Messages about your orders still reach you either way.</p>\n</body></html>\n"
    );
    Ok(html_page(page))
}

/// An HTML answer with the pages' headers.
fn html_page(page: impl Into<String>) -> Response {
    let mut response = Html(page.into()).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(POLICY));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The link's token, when its signature is genuine, with the customer it names.
fn genuine_token<'q>(state: &WriteState, query: Option<&'q str>) -> Result<(&'q str, CustomerId), ApiError> {
    let token = token_in(query)
        .ok_or_else(|| ApiError::field("token", ErrorCode::ValidationRequired, "the link's token is missing"))?;
    let customer_id = unsubscribe_key(&state.keys).verify(token).ok_or_else(|| {
        ApiError::field("token", ErrorCode::NotificationInvalidToken, "this unsubscribe link is not valid")
    })?;
    Ok((token, customer_id))
}

/// Opts the link's customer out of marketing (one-click unsubscribe, RFC 8058).
#[utoipa::path(
    post,
    path = "/api/v1/notifications/unsubscribe",
    tag = "notifications",
    params(("token" = String, Query, description = "The token of the mailed link")),
    responses(
        (status = 200, description = "Unsubscribed (also when already)", body = Envelope<Unsubscribed>),
        (status = 400, description = "No token, or not a genuine one", body = Envelope<String>),
        (status = 404, description = "The account does not exist", body = Envelope<String>),
    )
)]
#[tracing::instrument(skip_all)]
pub async fn unsubscribe_post(
    State(state): State<WriteState>,
    context: RequestContext,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let customer_id = genuine_token(&state, query.as_deref())?.1;
    let (current, mut position) = account::require(&state, customer_id.as_uuid()).await?;
    if current.marketing_opt_in() {
        let command = CustomerCommand::ChangeProfile {
            customer_id,
            name: current.name().to_owned(),
            phone: current.phone().map(|phone| phone.as_str().to_owned()),
            marketing_opt_in: false,
            at: Utc::now(),
        };
        let outcome = run::<Customer>(&state, &context, &actor(customer_id), customer_id.to_string(), command, None)
            .await
            .map_err(command_error)?;
        position = outcome.position;
        tracing::info!(%customer_id, "customer unsubscribed from marketing");
    }
    let wants_html =
        headers.get(ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|accept| accept.contains("text/html"));
    let response = if wants_html { html_page(PAGE) } else { ok(Unsubscribed { unsubscribed: true, position }) };
    Ok(with_position(response, position))
}

/// The `token` parameter of a query string (tokens are base64url: no decoding needed).
fn token_in(query: Option<&str>) -> Option<&str> {
    query?.split('&').find_map(|pair| pair.strip_prefix("token=")).filter(|token| !token.is_empty())
}

/// Who the log says acted: the holder of the customer's unsubscribe link.
fn actor(customer_id: CustomerId) -> String {
    format!("unsubscribe-link:{customer_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_read_from_the_query() {
        assert_eq!(token_in(Some("a=1&token=abc-_9&b=2")), Some("abc-_9"));
        assert_eq!(token_in(Some("token=")), None);
        assert_eq!(token_in(Some("tokens=x")), None);
        assert_eq!(token_in(None), None);
    }
}
