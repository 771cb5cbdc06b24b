//! Stripe's webhooks: `POST /api/v1/payments/webhooks/stripe`.
//!
//! The route takes no bearer token: the `Stripe-Signature` header is the
//! authentication (HMAC-SHA256 over the exact bytes posted, with the endpoint's
//! signing secret, timestamp within Stripe's default 300 s), so the body is read raw,
//! never through `ApiJson`. Without a configured secret the route answers 404.
//!
//! The reconciliation itself (signature, event types, refunds recorded by
//! difference, event ids handled once) is the use case
//! `emporium_commands::stripe_webhook`; this module reads the raw body and header,
//! hands them over, and answers what it gets back.
//!
//! Layout: [`endpoint`] (read, run, answer), [`secret`] (the signing secret),
//! [`refusals`] (refused deliveries as HTTP), [`input`] and [`answers`] (the shapes
//! the OpenAPI document shows).

pub mod answers;
pub mod endpoint;
pub mod input;
mod refusals;
mod secret;

pub use secret::SigningSecret;
