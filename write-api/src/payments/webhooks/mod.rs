//! Stripe's webhooks: `POST /api/v1/payments/webhooks/stripe`.
//!
//! The route takes no bearer token: the `Stripe-Signature` header is the
//! authentication (HMAC-SHA256 over the exact bytes posted, with the endpoint's
//! signing secret, timestamp within Stripe's default 300 s), so the body is read raw,
//! never through `ApiJson`. Without a configured secret the route answers 404.
//!
//! Per event type: `charge.refunded` records on the Emporium payment (and its order)
//! whatever Stripe refunded that Emporium has not recorded yet, e.g. a refund made
//! in Stripe's Dashboard; `payment_intent.*` is logged and acknowledged (the checkout
//! saga records outcomes from the gateway's own answers); every other type is
//! acknowledged and ignored, since Stripe retries anything but a 2xx. An event id is
//! handled once.
//!
//! Layout: [`endpoint`] (verify, skip what was handled, dispatch, answer),
//! [`refunds`] (`charge.refunded`), [`intents`] (`payment_intent.*`),
//! [`deliveries`] (event ids handled), [`secret`] (the signing secret),
//! [`refusals`] (refused deliveries as HTTP), [`input`] and [`answers`] (the shapes
//! the OpenAPI document shows).

pub mod answers;
mod deliveries;
pub mod endpoint;
pub mod input;
mod intents;
mod refunds;
mod refusals;
mod secret;

pub use secret::SigningSecret;
