//! Refused deliveries as HTTP. Every refusal is a 400 or 404 in the envelope with
//! its own code, so Stripe's delivery log tells an operator what to fix (usually the
//! signing secret). Stripe retries them, which is right: a delivery refused for a
//! secret being rotated goes through once the new secret is configured.

use emporium_api_kit::ApiError;
use emporium_api_kit::ErrorCode;
use emporium_infra::payments::webhook::WebhookError;

/// 404: no signing secret is configured, so the endpoint does not exist.
pub(super) fn not_enabled() -> ApiError {
    ApiError::new(
        ErrorCode::WebhookNotEnabled,
        "Stripe webhooks are not enabled: start the shop with --stripe-webhook-secret (EMPORIUM_STRIPE_WEBHOOK_SECRET)",
    )
}

/// 400: no `Stripe-Signature` header, or one that is not text.
pub(super) fn signature_missing() -> ApiError {
    ApiError::new(ErrorCode::WebhookSignatureMissing, "the Stripe-Signature header is missing")
}

/// 400: the body is not a Stripe event, or lacks an event id.
pub(super) fn malformed_event(detail: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::WebhookMalformedEvent, detail)
}

/// A failed check of the signature or the event, as a 400 with its own code.
pub(super) fn event_refused(error: WebhookError) -> ApiError {
    let code = match &error {
        WebhookError::MissingTimestamp | WebhookError::NoSignatures => ErrorCode::WebhookSignatureMalformed,
        WebhookError::TimestampOutsideTolerance => ErrorCode::WebhookSignatureExpired,
        WebhookError::NoMatchingSignature => ErrorCode::WebhookSignatureMismatch,
        WebhookError::MalformedEvent(_) => return malformed_event(error.to_string()),
    };
    ApiError::new(code, error.to_string())
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;

    use super::*;

    #[test]
    fn each_failed_check_is_a_400_with_its_own_code() {
        let cases = [
            (WebhookError::MissingTimestamp, "webhook.signature_malformed"),
            (WebhookError::NoSignatures, "webhook.signature_malformed"),
            (WebhookError::TimestampOutsideTolerance, "webhook.signature_expired"),
            (WebhookError::NoMatchingSignature, "webhook.signature_mismatch"),
            (WebhookError::MalformedEvent("x".to_owned()), "webhook.malformed_event"),
        ];
        for (error, code) in cases {
            let refused = event_refused(error);
            assert_eq!((refused.status, refused.code.as_str()), (StatusCode::BAD_REQUEST, code));
        }
        assert_eq!(not_enabled().status, StatusCode::NOT_FOUND);
    }
}
