//! The order's payment method. A saved method (a UUID) must be one of the caller's
//! own (their wallet stream says so); a provider token is checked with the gateway
//! and then kept outside the log, in the account store under a fresh reference
//! (`payment_token` claim: reference → token). The order's event carries only the
//! reference or the saved method's id, so no token ever enters the log; the
//! fulfilment saga resolves either with `accounts.unique_owner(ClaimKind::PaymentToken, …)`.

use emporium_api_kit::ApiError;
use emporium_api_kit::ErrorCode;
use emporium_domain::ids::{CustomerId, OrderId};
use emporium_domain::payment::Wallet;
use emporium_infra::accounts::ClaimKind;
use emporium_infra::payments::GatewayError;

use super::ids::payment_reference;
use super::input::PaymentChoice;
use crate::lookups::load;
use crate::state::WriteState;

/// Checks the choice before anything is written: 400 naming `payment_method` for a
/// method that is not the caller's, or a token the provider refuses.
pub(crate) async fn check(state: &WriteState, customer: CustomerId, choice: &PaymentChoice) -> Result<(), ApiError> {
    match choice {
        PaymentChoice::Saved(id) => {
            let wallet = load::<Wallet>(state, &customer.to_string()).await?;
            if wallet.wallet().and_then(|w| w.method(*id)).is_none() {
                return Err(ApiError::field(
                    "payment_method",
                    ErrorCode::PaymentMethodNotFound,
                    "you have no saved payment method with this id",
                ));
            }
            Ok(())
        }
        PaymentChoice::Token(token) => match state.gateway.describe_method(token).await {
            Ok(_) => Ok(()),
            Err(GatewayError::InvalidMethod) => Err(ApiError::field(
                "payment_method",
                ErrorCode::PaymentInvalidMethod,
                "the payment provider does not know this payment method",
            )),
            // The provider being down must not stop an order: the payment step retries.
            Err(error) => {
                tracing::warn!(%error, "could not check a payment method with the provider; accepting it");
                Ok(())
            }
        },
    }
}

/// What the order records as its payment method (known before anything is stored).
pub(crate) fn reference(order: OrderId, choice: &PaymentChoice) -> String {
    match choice {
        PaymentChoice::Saved(id) => id.to_string(),
        PaymentChoice::Token(_) => payment_reference(order).to_string(),
    }
}

/// Stores a token under the order's reference; a saved method is stored already.
pub(crate) async fn store(state: &WriteState, order: OrderId, choice: &PaymentChoice) -> Result<(), ApiError> {
    if let PaymentChoice::Token(token) = choice {
        let key = payment_reference(order).to_string();
        let owner = state
            .accounts
            .claim_unique(ClaimKind::PaymentToken, &key, token)
            .await
            .map_err(|e| ApiError::internal(&e))?;
        if owner != *token {
            // Only a retry of the same order with another token gets here.
            return Err(ApiError::new(
                ErrorCode::OrderPaymentMethodChanged,
                "this order was placed with another payment method",
            ));
        }
    }
    Ok(())
}
