//! Folds wallet events into the state; never fails.

use super::event::WalletEvent;
use super::state::{CustomerWallet, SavedMethod, WalletState};

/// Applies one event to a wallet.
pub(super) fn evolve(state: WalletState, event: &WalletEvent) -> WalletState {
    let mut wallet = match (state, event) {
        (WalletState::Present(wallet), _) => wallet,
        (WalletState::Absent, WalletEvent::PaymentMethodSaved(saved)) => {
            CustomerWallet { customer_id: saved.customer_id, methods: Vec::new(), updated_at: saved.at }
        }
        // Only a saved method can start a wallet; a removal before it changes nothing.
        (WalletState::Absent, WalletEvent::PaymentMethodRemoved(_)) => return WalletState::Absent,
    };
    match event {
        WalletEvent::PaymentMethodSaved(saved) => {
            wallet.methods.retain(|method| method.method_id != saved.method_id);
            wallet.methods.push(SavedMethod {
                method_id: saved.method_id,
                provider: saved.provider.clone(),
                brand: saved.brand.clone(),
                last4: saved.last4.clone(),
                token_fingerprint: saved.token_fingerprint,
                saved_at: saved.at,
            });
            wallet.updated_at = saved.at;
        }
        WalletEvent::PaymentMethodRemoved(removed) => {
            wallet.methods.retain(|method| method.method_id != removed.method_id);
            wallet.updated_at = removed.at;
        }
    }
    WalletState::Present(wallet)
}
