//! The payment write endpoints: saving payment methods, paying an order that awaits
//! payment, and refunds (Admin/Manager).
//!
//! Provider tokens never enter the event log: the gateway checks a token and tells
//! its brand and last four digits, the account store keeps the token under a method
//! id ([`tokens`]), and events carry the id or the token's fingerprint. Charging is
//! the checkout saga's work: paying an order records the method on it and answers
//! 202.
//!
//! Stripe reports refunds made outside Emporium (its Dashboard) through a signed
//! webhook, which records them like a staff refund ([`webhooks`]).
//!
//! Layout: [`methods`] (save a method), [`process`] (pay an order), [`refund`];
//! [`record_refund`] (a provider's refund onto the payment and order, shared by the
//! refund endpoint and the webhook); [`webhooks`] (Stripe's deliveries);
//! [`input`] (request bodies), [`answers`] (response shapes), [`tokens`] (tokens
//! outside the log), [`refusals`] (payment, wallet and provider errors as HTTP).

pub mod answers;
pub mod input;
pub mod methods;
pub mod process;
pub(crate) mod record_refund;
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
        answers::PaymentMoney,
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
