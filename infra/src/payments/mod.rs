//! The payment gateway port: authorise, capture and refund with a provider, keyed by
//! the provider's payment-method tokens (never card numbers). Adapters: [`simulated`]
//! (the default; behaves like Stripe test mode) and [`stripe`] (Stripe's HTTP API).
//! Stripe's webhooks are verified and read by [`webhook`] and [`stripe_charge`].
//!
//! Every call carries an idempotency key derived by the caller from the triggering
//! event, so a retried or redelivered step never charges twice.

pub mod simulated;
#[cfg(feature = "stripe")]
pub mod stripe;
pub mod stripe_charge;
pub mod webhook;

use async_trait::async_trait;
use emporium_domain::money::Money;

/// The metadata key carrying Emporium's payment id on Stripe PaymentIntents and
/// Charges (set by the Stripe adapter, read back from webhooks).
pub const PAYMENT_ID_METADATA: &str = "emporium_payment_id";

/// What a provider tells about a payment-method token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodDetails {
    /// Card brand, e.g. `visa`.
    pub brand: String,
    /// Last four digits.
    pub last4: String,
}

/// An authorisation to charge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeRequest {
    /// Same key, same answer: the provider charges once.
    pub idempotency_key: String,
    /// How much.
    pub amount: Money,
    /// The provider token (e.g. `pm_card_visa`).
    pub method_token: String,
    /// For the provider's records (e.g. the order id).
    pub description: String,
    /// Emporium's id of the payment; providers keep it on the charge (Stripe: as
    /// metadata) so their webhooks lead back to the payment.
    pub payment_reference: String,
}

/// A successful authorisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// The provider's id for it (e.g. a PaymentIntent id).
    pub provider_reference: String,
}

/// A successful refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundReceipt {
    /// The provider's refund id.
    pub refund_id: String,
}

/// Why the provider said no, or could not be asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    /// The card was declined; `reason` is the provider's decline code.
    #[error("payment declined: {reason}")]
    Declined {
        /// e.g. `generic_decline`, `insufficient_funds`.
        reason: String,
    },
    /// The token is not a usable payment method.
    #[error("invalid payment method")]
    InvalidMethod,
    /// The provider refused the request itself (amount, state).
    #[error("rejected by the payment provider: {0}")]
    Rejected(String),
    /// The provider could not be reached or failed; worth retrying with the same key.
    #[error("payment provider unavailable: {0}")]
    Unavailable(String),
}

impl GatewayError {
    /// True when retrying with the same idempotency key may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }
}

/// A payment provider.
#[async_trait]
pub trait PaymentGateway: Send + Sync + 'static {
    /// The provider's name (`simulated`, `stripe`).
    fn name(&self) -> &'static str;
    /// Brand and last four digits of a token, refusing unusable tokens.
    async fn describe_method(&self, method_token: &str) -> Result<MethodDetails, GatewayError>;
    /// Authorises an amount on a method.
    async fn authorize(&self, request: &AuthorizeRequest) -> Result<Authorization, GatewayError>;
    /// Captures (part of) an authorisation.
    async fn capture(
        &self,
        idempotency_key: &str,
        provider_reference: &str,
        amount: &Money,
    ) -> Result<(), GatewayError>;
    /// Releases an authorisation that will not be captured (Stripe: cancels the
    /// PaymentIntent), so the customer's funds are not held until the hold lapses.
    async fn void(&self, idempotency_key: &str, provider_reference: &str) -> Result<(), GatewayError>;
    /// Refunds (part of) a capture.
    async fn refund(
        &self,
        idempotency_key: &str,
        provider_reference: &str,
        amount: &Money,
    ) -> Result<RefundReceipt, GatewayError>;
}
