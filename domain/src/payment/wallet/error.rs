//! Why a wallet refused a command.

use crate::ids::PaymentMethodId;
use crate::values::ValueError;

/// A refused wallet command; [`WalletError::code`] gives its stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WalletError {
    /// The token looks like a card number, which must never be stored.
    #[error("the token looks like a card number")]
    CardNumberRefused,
    /// `last4` must be exactly four digits.
    #[error("last4 must be exactly four digits")]
    InvalidLast4,
    /// The wallet already holds the most methods allowed.
    #[error("a wallet holds at most {max} payment methods")]
    TooManyMethods {
        /// The limit.
        max: usize,
    },
    /// The method id is already used by a method with another token.
    #[error("payment method id {0} is already used")]
    MethodIdTaken(PaymentMethodId),
    /// No saved method with this id.
    #[error("payment method {0} not found")]
    MethodNotFound(PaymentMethodId),
    /// The provider, brand or token is blank or too long.
    #[error(transparent)]
    InvalidValue(#[from] ValueError),
}

impl WalletError {
    /// The stable, documented code of this refusal.
    pub fn code(&self) -> &'static str {
        match self {
            WalletError::CardNumberRefused => "wallet.card_number_refused",
            WalletError::InvalidLast4 => "wallet.invalid_last4",
            WalletError::TooManyMethods { .. } => "wallet.too_many_methods",
            WalletError::MethodIdTaken(_) => "wallet.method_id_taken",
            WalletError::MethodNotFound(_) => "wallet.method_not_found",
            WalletError::InvalidValue(_) => "wallet.invalid_value",
        }
    }
}
