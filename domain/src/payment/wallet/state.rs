//! What a wallet remembers between commands.

use chrono::{DateTime, Utc};

use crate::ids::{CustomerId, PaymentMethodId};
use crate::payment::TokenFingerprint;

/// A wallet, or the absence of one.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum WalletState {
    /// No method was ever saved.
    #[default]
    Absent,
    /// The wallet exists (it may be empty again).
    Present(CustomerWallet),
}

impl WalletState {
    /// The wallet, if it exists.
    pub fn wallet(&self) -> Option<&CustomerWallet> {
        match self {
            WalletState::Absent => None,
            WalletState::Present(wallet) => Some(wallet),
        }
    }
}

/// An existing wallet.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerWallet {
    /// The owner.
    pub customer_id: CustomerId,
    /// The saved methods, oldest first.
    pub methods: Vec<SavedMethod>,
    /// When the wallet last changed.
    pub updated_at: DateTime<Utc>,
}

impl CustomerWallet {
    /// The method with this id.
    pub fn method(&self, method_id: PaymentMethodId) -> Option<&SavedMethod> {
        self.methods.iter().find(|method| method.method_id == method_id)
    }

    /// The method saved with this token fingerprint.
    pub fn method_with_fingerprint(&self, fingerprint: TokenFingerprint) -> Option<&SavedMethod> {
        self.methods.iter().find(|method| method.token_fingerprint == fingerprint)
    }
}

/// One saved payment method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedMethod {
    /// The method.
    pub method_id: PaymentMethodId,
    /// The provider.
    pub provider: String,
    /// The card brand or account kind.
    pub brand: String,
    /// The last four digits.
    pub last4: String,
    /// The fingerprint of the provider's token.
    pub token_fingerprint: TokenFingerprint,
    /// When it was saved.
    pub saved_at: DateTime<Utc>,
}
