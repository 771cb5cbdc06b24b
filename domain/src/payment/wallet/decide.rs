//! The wallet's rules: which commands are accepted and which facts they cause.

use chrono::{DateTime, Utc};

use super::command::WalletCommand;
use super::error::WalletError;
use super::event::{PaymentMethodRemoved, PaymentMethodSaved, WalletEvent};
use super::state::WalletState;
use super::{MAX_LABEL_LEN, MAX_METHODS};
use crate::ids::{CustomerId, PaymentMethodId};
use crate::payment::MethodToken;
use crate::values::bounded_text;

/// Longest token accepted.
const MAX_TOKEN_LEN: usize = 500;

/// Checks a command against the wallet and returns the events it causes.
pub(super) fn decide(state: &WalletState, command: &WalletCommand) -> Result<Vec<WalletEvent>, WalletError> {
    match command {
        WalletCommand::SaveMethod { customer_id, method_id, provider, token, brand, last4, at } => {
            let method =
                NewMethod { customer_id: *customer_id, method_id: *method_id, provider, token, brand, last4, at: *at };
            save(state, method)
        }
        WalletCommand::RemoveMethod { customer_id, method_id, at } => remove(state, *customer_id, *method_id, *at),
    }
}

/// The fields of `SaveMethod`.
struct NewMethod<'a> {
    customer_id: CustomerId,
    method_id: PaymentMethodId,
    provider: &'a str,
    token: &'a MethodToken,
    brand: &'a str,
    last4: &'a str,
    at: DateTime<Utc>,
}

fn save(state: &WalletState, new: NewMethod<'_>) -> Result<Vec<WalletEvent>, WalletError> {
    if new.token.looks_like_card_number() {
        return Err(WalletError::CardNumberRefused);
    }
    bounded_text("token", new.token.expose(), MAX_TOKEN_LEN)?;
    let provider = bounded_text("provider", new.provider, MAX_LABEL_LEN)?.to_lowercase();
    let brand = bounded_text("brand", new.brand, MAX_LABEL_LEN)?.to_lowercase();
    let last4 = new.last4.trim();
    if last4.len() != 4 || !last4.bytes().all(|b| b.is_ascii_digit()) {
        return Err(WalletError::InvalidLast4);
    }
    let token_fingerprint = new.token.fingerprint();
    if let Some(wallet) = state.wallet() {
        if wallet.method_with_fingerprint(token_fingerprint).is_some() {
            return Ok(Vec::new());
        }
        if wallet.method(new.method_id).is_some() {
            return Err(WalletError::MethodIdTaken(new.method_id));
        }
        if wallet.methods.len() >= MAX_METHODS {
            return Err(WalletError::TooManyMethods { max: MAX_METHODS });
        }
    }
    Ok(vec![WalletEvent::PaymentMethodSaved(PaymentMethodSaved {
        customer_id: new.customer_id,
        method_id: new.method_id,
        provider,
        brand,
        last4: last4.to_owned(),
        token_fingerprint,
        at: new.at,
    })])
}

fn remove(
    state: &WalletState,
    customer_id: CustomerId,
    method_id: PaymentMethodId,
    at: DateTime<Utc>,
) -> Result<Vec<WalletEvent>, WalletError> {
    if state.wallet().and_then(|wallet| wallet.method(method_id)).is_none() {
        return Err(WalletError::MethodNotFound(method_id));
    }
    Ok(vec![WalletEvent::PaymentMethodRemoved(PaymentMethodRemoved { customer_id, method_id, at })])
}
