//! `POST /api/v1/payments/webhooks/stripe`: reads the raw body and the signature
//! header, runs the reconciliation (`emporium_commands::stripe_webhook`) and answers
//! in the envelope.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use emporium_api_kit::ErrorCode;
use emporium_api_kit::envelope::ok;
use emporium_api_kit::position::with_position;
use emporium_api_kit::{ApiError, Envelope, RequestContext};
use emporium_commands::stripe_webhook::{self, Delivery, SIGNATURE_HEADER, WebhookPorts};

use super::answers::WebhookHandled;
use super::input::StripeEventBody;
use super::refusals::{not_enabled, refused};
use crate::state::WriteState;

/// Receives one Stripe event delivery.
#[utoipa::path(
    post,
    path = "/api/v1/payments/webhooks/stripe",
    tag = "payments",
    description = "Stripe's webhook endpoint. No bearer token: the `Stripe-Signature` header \
        (HMAC-SHA256 of `{t}.{body}` with the endpoint's signing secret, `t` within 300 s of now) \
        authenticates the exact bytes posted. `charge.refunded` records on the Emporium payment \
        (found by the charge's `metadata.emporium_payment_id`) whatever Stripe refunded that \
        Emporium has not recorded; `payment_intent.succeeded`, `.payment_failed` and `.canceled` \
        are acknowledged; other types are ignored with a 200. An event id is handled once. \
        Enabled by `--stripe-webhook-secret`.",
    request_body(content = StripeEventBody, content_type = "application/json",
        description = "The event exactly as Stripe sends it"),
    params(("Stripe-Signature" = String, Header, description = "`t=<unix seconds>,v1=<hex signature>[,v1=…]`")),
    responses(
        (status = 200, description = "Handled, handled before, or of no concern to the shop", body = Envelope<WebhookHandled>,
            headers(("X-Emporium-Position" = u64, description = "Position of the last event, when a refund was recorded"))),
        (status = 400, description = "`webhook.signature_missing`, `webhook.signature_malformed`, `webhook.signature_expired`, `webhook.signature_mismatch`, `webhook.malformed_event`; nothing was done", body = Envelope<String>),
        (status = 404, description = "`webhook.not_enabled`: no signing secret is configured", body = Envelope<String>),
        (status = 409, description = "`webhook.payment_not_captured`: the payment is not recorded as captured yet; Stripe retries later", body = Envelope<String>),
        (status = 413, description = "The body is too large", body = Envelope<String>),
    )
)]
#[tracing::instrument(skip_all, fields(event_id = tracing::field::Empty, event_type = tracing::field::Empty))]
pub async fn receive_stripe_event(
    State(state): State<WriteState>,
    context: RequestContext,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let secret = state.stripe_webhook_secret.as_ref().and_then(|secret| secret.usable()).ok_or_else(not_enabled)?;
    let body = body.map_err(unreadable)?;
    let signature = headers.get(SIGNATURE_HEADER).and_then(|value| value.to_str().ok());
    let ports = WebhookPorts { commands: &state.commands, accounts: state.accounts.as_ref() };
    let delivery = Delivery { body: &body, signature, secret };
    let handled =
        stripe_webhook::receive(ports, delivery, context.metadata("webhook:stripe")).await.map_err(refused)?;
    let position = handled.refund.as_ref().map(|(_, position)| *position);
    let answer = ok(WebhookHandled::from(handled));
    Ok(match position {
        Some(position) => with_position(answer, position),
        None => answer,
    })
}

/// The body could not be read: too large (413) or cut off (400).
fn unreadable(rejection: BytesRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::too_large("the body is larger than this endpoint accepts")
    } else {
        ApiError::new(ErrorCode::RequestUnreadableBody, rejection.body_text())
    }
}
