//! Provider tokens live outside the event log: the account store keeps each one
//! under a method id (`claim_unique(ClaimKind::PaymentToken, method_id, token)`), events and
//! orders carry only the id, and the checkout saga resolves it with
//! `unique_owner(ClaimKind::PaymentToken, method_id)`.
//!
//! Saved methods get their id from the wallet; a token given directly to pay an
//! order gets a fresh id of its own, unless the customer saved that token before.

use emporium_api_kit::ApiError;
use emporium_api_kit::ErrorCode;
use emporium_domain::ids::{CustomerId, PaymentMethodId};
use emporium_domain::payment::{MethodToken, Wallet, WalletState};
use emporium_infra::accounts::ClaimKind;
use uuid::Uuid;

use super::input::MethodChoice;
use super::refusals::method_refused;
use crate::errors::command_error;
use crate::state::WriteState;

/// Keeps `token` under `method_id`, outside the log.
pub(crate) async fn keep_token(
    state: &WriteState,
    method_id: PaymentMethodId,
    token: &MethodToken,
) -> Result<(), ApiError> {
    let holder = state
        .accounts
        .claim_unique(ClaimKind::PaymentToken, &method_id.to_string(), token.expose())
        .await
        .map_err(|error| ApiError::internal(&error))?;
    if holder == token.expose() {
        Ok(())
    } else {
        // Method ids are fresh UUIDv7s: another token under one is a bug, never input.
        Err(ApiError::internal(&std::io::Error::other(format!(
            "payment method {method_id} already holds another token"
        ))))
    }
}

/// A customer's wallet as the event log has it.
pub(crate) async fn wallet(state: &WriteState, customer_id: CustomerId) -> Result<(WalletState, u64), ApiError> {
    let (wallet, _, position) = state.commands.load::<Wallet>(&customer_id.to_string()).await.map_err(command_error)?;
    Ok((wallet, position))
}

/// The method id an order is to be paid with: a saved method of `customer_id`, or a
/// token the provider accepts, kept outside the log under a method id.
pub(crate) async fn method_for_order(
    state: &WriteState,
    customer_id: CustomerId,
    choice: &MethodChoice,
) -> Result<PaymentMethodId, ApiError> {
    let (wallet, _) = wallet(state, customer_id).await?;
    let saved = wallet.wallet();
    match choice {
        MethodChoice::Saved(method_id) => match saved.and_then(|w| w.method(*method_id)) {
            Some(method) => Ok(method.method_id),
            None => Err(ApiError::field(
                "payment_method",
                ErrorCode::PaymentMethodNotFound,
                "no saved payment method of yours has this id",
            )),
        },
        MethodChoice::Token(token) => {
            if let Some(method) = saved.and_then(|w| w.method_with_fingerprint(token.fingerprint())) {
                return Ok(method.method_id);
            }
            state.gateway.describe_method(token.expose()).await.map_err(|e| method_refused("payment_method", e))?;
            let method_id = PaymentMethodId::from_uuid(Uuid::now_v7());
            keep_token(state, method_id, token).await?;
            Ok(method_id)
        }
    }
}
