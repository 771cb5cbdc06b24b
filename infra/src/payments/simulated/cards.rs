//! Stripe's documented test PaymentMethods, as the simulator knows them.

/// A Stripe test PaymentMethod the simulator knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestCard {
    /// The PaymentMethod id, e.g. `pm_card_visa`.
    pub token: &'static str,
    /// Card brand as Stripe names it.
    pub brand: &'static str,
    /// Last four digits of the test card number behind it.
    pub last4: &'static str,
    /// The decline code a charge gets, or `None` when charges succeed.
    pub decline: Option<&'static str>,
}

const fn card(
    token: &'static str,
    brand: &'static str,
    last4: &'static str,
    decline: Option<&'static str>,
) -> TestCard {
    TestCard { token, brand, last4, decline }
}

/// Stripe's documented test PaymentMethods (docs.stripe.com/testing), with the brand,
/// last four digits and decline code of the card number each stands for.
pub const TEST_CARDS: &[TestCard] = &[
    card("pm_card_visa", "visa", "4242", None),
    card("pm_card_visa_debit", "visa", "5556", None),
    card("pm_card_mastercard", "mastercard", "4444", None),
    card("pm_card_mastercard_debit", "mastercard", "8210", None),
    card("pm_card_mastercard_prepaid", "mastercard", "5100", None),
    card("pm_card_amex", "amex", "8431", None),
    card("pm_card_discover", "discover", "1117", None),
    card("pm_card_chargeDeclined", "visa", "0002", Some("generic_decline")),
    card("pm_card_visa_chargeDeclined", "visa", "0002", Some("generic_decline")),
    card("pm_card_chargeDeclinedInsufficientFunds", "visa", "9995", Some("insufficient_funds")),
    card("pm_card_visa_chargeDeclinedInsufficientFunds", "visa", "9995", Some("insufficient_funds")),
    card("pm_card_chargeDeclinedLostCard", "visa", "9987", Some("lost_card")),
    card("pm_card_visa_chargeDeclinedLostCard", "visa", "9987", Some("lost_card")),
    card("pm_card_chargeDeclinedStolenCard", "visa", "9979", Some("stolen_card")),
    card("pm_card_visa_chargeDeclinedStolenCard", "visa", "9979", Some("stolen_card")),
    card("pm_card_chargeDeclinedExpiredCard", "visa", "0069", Some("expired_card")),
    card("pm_card_chargeDeclinedIncorrectCvc", "visa", "0127", Some("incorrect_cvc")),
    card("pm_card_chargeDeclinedProcessingError", "visa", "0119", Some("processing_error")),
    card("pm_card_chargeCustomerFail", "visa", "0341", Some("generic_decline")),
];

/// The test card behind a PaymentMethod id (exact match, as Stripe's ids are).
pub fn test_card(token: &str) -> Option<&'static TestCard> {
    TEST_CARDS.iter().find(|card| card.token == token)
}
