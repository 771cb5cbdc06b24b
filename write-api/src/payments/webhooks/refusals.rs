//! Refused deliveries as HTTP. Every refusal is a 400 or 404 in the envelope with
//! its own code, so Stripe's delivery log tells an operator what to fix (usually the
//! signing secret). Stripe retries them, which is right: a delivery refused for a
//! secret being rotated goes through once the new secret is configured.

use emporium_api_kit::{ApiError, ErrorCode};
use emporium_commands::stripe_webhook::WebhookRefusal;

use crate::errors::command_error;

/// 404: no signing secret is configured, so the endpoint does not exist.
pub(super) fn not_enabled() -> ApiError {
    ApiError::new(
        ErrorCode::WebhookNotEnabled,
        "Stripe webhooks are not enabled: start the shop with --stripe-webhook-secret (EMPORIUM_STRIPE_WEBHOOK_SECRET)",
    )
}

/// A refused delivery as a 400 (or 409) with its own code; a failure to record as
/// the command path answers it.
pub(super) fn refused(refusal: WebhookRefusal) -> ApiError {
    let code = match &refusal {
        WebhookRefusal::SignatureMissing => ErrorCode::WebhookSignatureMissing,
        WebhookRefusal::SignatureMalformed(_) => ErrorCode::WebhookSignatureMalformed,
        WebhookRefusal::SignatureExpired => ErrorCode::WebhookSignatureExpired,
        WebhookRefusal::SignatureMismatch => ErrorCode::WebhookSignatureMismatch,
        WebhookRefusal::MalformedEvent(_) => ErrorCode::WebhookMalformedEvent,
        WebhookRefusal::PaymentNotCaptured(_) => ErrorCode::WebhookPaymentNotCaptured,
        WebhookRefusal::Command(_) => {
            let WebhookRefusal::Command(command) = refusal else { unreachable!("matched above") };
            return command_error(command);
        }
        WebhookRefusal::Accounts(_) | WebhookRefusal::Money(_) => return ApiError::internal(&refusal),
    };
    ApiError::new(code, refusal.to_string())
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;
    use emporium_domain::ids::PaymentId;

    use super::*;

    #[test]
    fn each_refusal_is_answered_with_its_own_code() {
        let cases = [
            (WebhookRefusal::SignatureMissing, "webhook.signature_missing"),
            (WebhookRefusal::SignatureMalformed("no t".to_owned()), "webhook.signature_malformed"),
            (WebhookRefusal::SignatureExpired, "webhook.signature_expired"),
            (WebhookRefusal::SignatureMismatch, "webhook.signature_mismatch"),
            (WebhookRefusal::MalformedEvent("x".to_owned()), "webhook.malformed_event"),
        ];
        for (refusal, code) in cases {
            let refused = refused(refusal);
            assert_eq!((refused.status, refused.code.as_str()), (StatusCode::BAD_REQUEST, code));
        }
        let later = refused(WebhookRefusal::PaymentNotCaptured(PaymentId::from_uuid(uuid::Uuid::nil())));
        assert_eq!((later.status, later.code.as_str()), (StatusCode::CONFLICT, "webhook.payment_not_captured"));
        assert_eq!(not_enabled().status, StatusCode::NOT_FOUND);
    }
}
