//! Stripe event ids already handled, kept as uniqueness claims in the account store
//! (`stripe_event` → what was done), so a redelivered event does nothing twice.
//!
//! Stripe delivers at least once and retries every answer that is not a 2xx, so the
//! claim is made after an event was handled, never before: a delivery that fails
//! half-way leaves no claim and Stripe's retry does the work. Two deliveries racing
//! past the check are harmless, because every command a handler issues has an id
//! derived from the event id and the command handler runs a known id once.

use emporium_infra::accounts::{AccountStore, AccountStoreError, ClaimKind};

/// Longest Stripe object id accepted (Stripe's are far shorter).
const MAX_EVENT_ID_LEN: usize = 255;

/// Whether `id` looks like a Stripe event id (`evt_…`: letters, digits, `_`), fit to
/// become part of claim keys, command keys and refund ids.
pub(super) fn is_event_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_EVENT_ID_LEN && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// What was done with `event_id` the first time, if it was handled before.
pub(super) async fn handled_before(
    accounts: &dyn AccountStore,
    event_id: &str,
) -> Result<Option<String>, AccountStoreError> {
    accounts.unique_owner(ClaimKind::StripeEvent, event_id).await
}

/// Records that `event_id` was handled, and how; a second record keeps the first.
pub(super) async fn remember(
    accounts: &dyn AccountStore,
    event_id: &str,
    outcome: &str,
) -> Result<(), AccountStoreError> {
    accounts.claim_unique(ClaimKind::StripeEvent, event_id, outcome).await.map(drop)
}

#[cfg(test)]
mod tests {
    use super::is_event_id;

    #[test]
    fn only_stripe_shaped_ids_are_event_ids() {
        assert!(is_event_id("evt_1NG8Du2eZvKYlo2CUI79vXWy"));
        for bad in ["", "evt 1", "evt_1:refund", "../evt", &"e".repeat(256)] {
            assert!(!is_event_id(bad), "{bad:?}");
        }
    }
}
