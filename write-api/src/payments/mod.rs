//! The payment write endpoints: saving payment methods, paying an order that awaits
//! payment, refunds (Admin/Manager), and Stripe's webhook. The work is the use cases
//! in `commands` (`wallet`, `refunds`, `stripe_webhook`); these modules check
//! bodies, run them and answer.
//!
//! Provider tokens never enter the event log: the gateway checks a token and tells
//! its brand and last four digits, the account store keeps the token under a method
//! id, and events carry the id or the token's fingerprint. Charging is the checkout
//! saga's work: paying an order records the method on it and answers 202.
//!
//! Layout: [`methods`] (save a method), [`process`] (pay an order), [`refund`],
//! [`webhooks`] (Stripe's deliveries); [`input`] (request bodies), [`answers`]
//! (response shapes), [`refusals`] (payment, wallet and provider errors as HTTP).

pub mod answers;
pub mod input;
pub mod methods;
pub mod process;
pub mod refund;
pub mod refusals;
pub mod webhooks;

use axum::Router;
use axum::routing::post;

use crate::state::WriteState;

/// The payments routes.
pub fn router() -> Router<WriteState> {
    Router::new()
        .route("/api/v1/payments/methods", post(methods::save_method))
        .route("/api/v1/payments/process", post(process::process_payment))
        .route("/api/v1/payments/refund", post(refund::refund_payment))
        .route("/api/v1/payments/webhooks/stripe", post(webhooks::endpoint::receive_stripe_event))
}

/// The OpenAPI description of the payment write endpoints.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        methods::save_method,
        process::process_payment,
        refund::refund_payment,
        webhooks::endpoint::receive_stripe_event
    ),
    components(schemas(
        input::SaveMethodRequest,
        input::ProcessPaymentRequest,
        input::RefundRequest,
        input::RefundAmount,
        emporium_api_kit::MoneyView,
        answers::MethodSaved,
        answers::PaymentAccepted,
        answers::PaymentAfterRefund,
        answers::RefundGiven,
        webhooks::input::StripeEventBody,
        webhooks::answers::WebhookOutcome,
        webhooks::answers::WebhookHandled,
    )),
    tags((name = "payments", description = "Payment methods, paying orders awaiting payment, refunds, Stripe's webhooks"))
)]
pub struct PaymentsApi;
