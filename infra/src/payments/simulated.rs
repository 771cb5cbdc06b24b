//! The simulated payment provider, the embedded default: behaves like Stripe test
//! mode, keyed on Stripe's documented test PaymentMethod ids, without any network.
//!
//! - `pm_card_visa` (visa 4242), `pm_card_mastercard` (mastercard 4444) and the other
//!   succeeding ids in [`TEST_CARDS`] authorise, capture and refund;
//! - `pm_card_chargeDeclined` (or `pm_card_visa_chargeDeclined`) declines with
//!   `generic_decline`, `pm_card_chargeDeclinedInsufficientFunds` with
//!   `insufficient_funds`, and so on for the other documented decline codes; their
//!   [`describe_method`](PaymentGateway::describe_method) succeeds, as attaching them
//!   to a customer does at Stripe (only charging them fails);
//! - anything else is [`GatewayError::InvalidMethod`].
//!
//! Every call is idempotent per idempotency key: the first answer (success or refusal)
//! is recorded in an in-memory ledger behind a mutex and a repeat returns it, so the
//! same key never charges twice; a key reused for a different request is
//! [`GatewayError::Rejected`], as Stripe refuses it. Captures are at most the
//! authorised amount (once per authorisation), refunds at most what was captured and
//! not yet refunded; anything else is `Rejected`.
//!
//! The ledger does **not** survive a restart: this is a simulator. After a restart an
//! old provider reference is unknown (captures and refunds on it are `Rejected`) and
//! a replayed authorisation key creates a new authorisation.
//!
//! Fault injection ([`SimulatedOptions`]): every call first waits `latency`, then
//! fails with [`GatewayError::Unavailable`] with probability `failure_rate`. Half of
//! the injected failures happen *after* the ledger recorded the operation (a lost
//! response, as with a real provider), so callers must retry with the same key —
//! which returns the recorded answer and never charges twice.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use emporium_domain::money::Money;
use uuid::Uuid;

use super::{Authorization, AuthorizeRequest, GatewayError, MethodDetails, PaymentGateway, RefundReceipt};

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

/// Latency and failure injection.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimulatedOptions {
    /// Waited before every call.
    pub latency: Duration,
    /// Probability (0.0 to 1.0) that a call fails with [`GatewayError::Unavailable`].
    pub failure_rate: f64,
}

impl Default for SimulatedOptions {
    fn default() -> Self {
        Self { latency: Duration::ZERO, failure_rate: 0.0 }
    }
}

/// What the simulator holds for one authorisation (for tests and diagnostics).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimulatedPayment {
    /// The provider reference (`pi_sim_…`).
    pub provider_reference: String,
    /// The PaymentMethod charged.
    pub method_token: String,
    /// What was authorised.
    pub authorized: Money,
    /// What was captured, once captured.
    pub captured: Option<Money>,
    /// All refunds so far.
    pub refunded: Money,
}

/// The simulated provider; see the module docs.
#[derive(Debug)]
pub struct SimulatedGateway {
    options: SimulatedOptions,
    ledger: Mutex<Ledger>,
    dice: AtomicU64,
}

impl Default for SimulatedGateway {
    fn default() -> Self {
        Self::new(SimulatedOptions::default())
    }
}

/// Where an injected failure strikes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// No failure.
    None,
    /// Before the ledger sees the call: nothing happened.
    Before,
    /// After the ledger recorded the call: the answer is lost.
    After,
}

impl SimulatedGateway {
    /// A simulator with these options.
    pub fn new(options: SimulatedOptions) -> Self {
        // Seed the dice from a fresh UUIDv7's random bits: no rand dependency needed.
        let seed = Uuid::now_v7().as_u128() as u64;
        Self { options, ledger: Mutex::new(Ledger::default()), dice: AtomicU64::new(seed) }
    }

    /// The options it runs with.
    pub fn options(&self) -> SimulatedOptions {
        self.options
    }

    /// Every authorisation the simulator holds, oldest first.
    pub fn payments(&self) -> Vec<SimulatedPayment> {
        let Ok(ledger) = self.ledger.lock() else {
            return Vec::new();
        };
        let mut payments: Vec<(u64, SimulatedPayment)> =
            ledger.intents.iter().map(|(reference, intent)| (intent.sequence, intent.snapshot(reference))).collect();
        payments.sort_by_key(|(sequence, _)| *sequence);
        payments.into_iter().map(|(_, payment)| payment).collect()
    }

    /// One authorisation by provider reference.
    pub fn payment(&self, provider_reference: &str) -> Option<SimulatedPayment> {
        let ledger = self.ledger.lock().ok()?;
        ledger.intents.get(provider_reference).map(|intent| intent.snapshot(provider_reference))
    }

    async fn pause(&self) {
        if !self.options.latency.is_zero() {
            tokio::time::sleep(self.options.latency).await;
        }
    }

    /// A uniform number in `[0, 1)` from a splitmix64 sequence.
    fn uniform(&self) -> f64 {
        let state = self.dice.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed).wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    fn roll(&self) -> Fault {
        let rate = self.options.failure_rate;
        if rate.is_nan() || rate <= 0.0 || self.uniform() >= rate.min(1.0) {
            return Fault::None;
        }
        if self.uniform() < 0.5 { Fault::Before } else { Fault::After }
    }

    fn ledger(&self) -> Result<MutexGuard<'_, Ledger>, GatewayError> {
        self.ledger.lock().map_err(|_| GatewayError::Unavailable("the simulated ledger is poisoned".to_owned()))
    }

    /// Waits, maybe fails, runs `operation` on the ledger, maybe loses the answer.
    async fn call<T>(&self, operation: impl FnOnce(&mut Ledger) -> Result<T, GatewayError>) -> Result<T, GatewayError> {
        self.pause().await;
        let fault = self.roll();
        if fault == Fault::Before {
            return Err(GatewayError::Unavailable(
                "injected failure: the simulated provider did not answer".to_owned(),
            ));
        }
        let answer = operation(&mut *self.ledger()?);
        if fault == Fault::After {
            return Err(GatewayError::Unavailable(
                "injected failure: the simulated provider's answer was lost".to_owned(),
            ));
        }
        answer
    }
}

#[async_trait]
impl PaymentGateway for SimulatedGateway {
    fn name(&self) -> &'static str {
        "simulated"
    }

    async fn describe_method(&self, method_token: &str) -> Result<MethodDetails, GatewayError> {
        self.call(|_| {
            let card = test_card(method_token).ok_or(GatewayError::InvalidMethod)?;
            Ok(MethodDetails { brand: card.brand.to_owned(), last4: card.last4.to_owned() })
        })
        .await
    }

    async fn authorize(&self, request: &AuthorizeRequest) -> Result<Authorization, GatewayError> {
        self.call(|ledger| {
            let asked = Request::Authorize { amount: request.amount, method_token: request.method_token.clone() };
            ledger.once(&request.idempotency_key, asked, |ledger| ledger.authorize(request).map(Answer::Authorized))
        })
        .await
        .and_then(Answer::authorization)
    }

    async fn capture(
        &self,
        idempotency_key: &str,
        provider_reference: &str,
        amount: &Money,
    ) -> Result<(), GatewayError> {
        self.call(|ledger| {
            let asked = Request::Capture { provider_reference: provider_reference.to_owned(), amount: *amount };
            ledger.once(idempotency_key, asked, |ledger| {
                ledger.capture(provider_reference, amount).map(|()| Answer::Captured)
            })
        })
        .await
        .map(|_| ())
    }

    async fn refund(
        &self,
        idempotency_key: &str,
        provider_reference: &str,
        amount: &Money,
    ) -> Result<RefundReceipt, GatewayError> {
        self.call(|ledger| {
            let asked = Request::Refund { provider_reference: provider_reference.to_owned(), amount: *amount };
            ledger
                .once(idempotency_key, asked, |ledger| ledger.refund(provider_reference, amount).map(Answer::Refunded))
        })
        .await
        .and_then(Answer::receipt)
    }
}

/// What was asked under an idempotency key; a reuse must ask the same.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Request {
    Authorize { amount: Money, method_token: String },
    Capture { provider_reference: String, amount: Money },
    Refund { provider_reference: String, amount: Money },
}

/// A recorded successful answer.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    Authorized(Authorization),
    Captured,
    Refunded(RefundReceipt),
}

impl Answer {
    fn authorization(self) -> Result<Authorization, GatewayError> {
        match self {
            Answer::Authorized(authorization) => Ok(authorization),
            _ => Err(key_reused()),
        }
    }

    fn receipt(self) -> Result<RefundReceipt, GatewayError> {
        match self {
            Answer::Refunded(receipt) => Ok(receipt),
            _ => Err(key_reused()),
        }
    }
}

fn key_reused() -> GatewayError {
    GatewayError::Rejected("idempotency key reused with different parameters".to_owned())
}

/// One authorisation in the ledger.
#[derive(Debug, Clone)]
struct Intent {
    sequence: u64,
    method_token: String,
    authorized: Money,
    captured: Option<Money>,
    refunded: Money,
}

impl Intent {
    fn snapshot(&self, reference: &str) -> SimulatedPayment {
        SimulatedPayment {
            provider_reference: reference.to_owned(),
            method_token: self.method_token.clone(),
            authorized: self.authorized,
            captured: self.captured,
            refunded: self.refunded,
        }
    }
}

/// The simulator's memory: answers by idempotency key, authorisations by reference.
#[derive(Debug, Default)]
struct Ledger {
    answers: HashMap<String, (Request, Result<Answer, GatewayError>)>,
    intents: HashMap<String, Intent>,
    sequence: u64,
}

impl Ledger {
    /// Runs `operation` once per key: a repeat returns the recorded answer (refusals
    /// included, as Stripe replays them), a different request under the key is refused.
    fn once(
        &mut self,
        key: &str,
        request: Request,
        operation: impl FnOnce(&mut Ledger) -> Result<Answer, GatewayError>,
    ) -> Result<Answer, GatewayError> {
        if key.trim().is_empty() {
            return Err(GatewayError::Rejected("an idempotency key is required".to_owned()));
        }
        if let Some((asked, answer)) = self.answers.get(key) {
            return if *asked == request { answer.clone() } else { Err(key_reused()) };
        }
        let answer = operation(self);
        self.answers.insert(key.to_owned(), (request, answer.clone()));
        answer
    }

    fn authorize(&mut self, request: &AuthorizeRequest) -> Result<Authorization, GatewayError> {
        if request.amount.is_zero() {
            return Err(GatewayError::Rejected("the amount must be positive".to_owned()));
        }
        let card = test_card(&request.method_token).ok_or(GatewayError::InvalidMethod)?;
        if let Some(reason) = card.decline {
            return Err(GatewayError::Declined { reason: reason.to_owned() });
        }
        self.sequence += 1;
        let reference = format!("pi_sim_{}", Uuid::now_v7().simple());
        let intent = Intent {
            sequence: self.sequence,
            method_token: request.method_token.clone(),
            authorized: request.amount,
            captured: None,
            refunded: Money::zero(request.amount.currency()),
        };
        self.intents.insert(reference.clone(), intent);
        Ok(Authorization { provider_reference: reference })
    }

    fn intent(&mut self, reference: &str) -> Result<&mut Intent, GatewayError> {
        self.intents.get_mut(reference).ok_or_else(|| GatewayError::Rejected(format!("no such payment: {reference}")))
    }

    fn capture(&mut self, reference: &str, amount: &Money) -> Result<(), GatewayError> {
        let intent = self.intent(reference)?;
        if intent.captured.is_some() {
            return Err(GatewayError::Rejected(format!("payment {reference} was already captured")));
        }
        checked_amount(amount, &intent.authorized, "capture", "authorized")?;
        intent.captured = Some(*amount);
        Ok(())
    }

    fn refund(&mut self, reference: &str, amount: &Money) -> Result<RefundReceipt, GatewayError> {
        let intent = self.intent(reference)?;
        let captured =
            intent.captured.ok_or_else(|| GatewayError::Rejected(format!("payment {reference} was not captured")))?;
        let refundable = captured.checked_sub(&intent.refunded).map_err(|e| GatewayError::Rejected(e.to_string()))?;
        checked_amount(amount, &refundable, "refund", "refundable")?;
        intent.refunded = intent.refunded.checked_add(amount).map_err(|e| GatewayError::Rejected(e.to_string()))?;
        Ok(RefundReceipt { refund_id: format!("re_sim_{}", Uuid::now_v7().simple()) })
    }
}

/// Refuses zero, another currency, or more than `limit`.
fn checked_amount(amount: &Money, limit: &Money, what: &str, limit_name: &str) -> Result<(), GatewayError> {
    if amount.is_zero() {
        return Err(GatewayError::Rejected(format!("a {what} must be positive")));
    }
    if amount.currency() != limit.currency() {
        return Err(GatewayError::Rejected(format!(
            "a {what} in {} of a payment in {}",
            amount.currency(),
            limit.currency()
        )));
    }
    if amount.amount() > limit.amount() {
        return Err(GatewayError::Rejected(format!("{what} of {amount} exceeds the {limit_name} {limit}")));
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn the_test_cards_are_unique_and_plausible() {
        for (i, card) in TEST_CARDS.iter().enumerate() {
            assert!(card.token.starts_with("pm_card_"), "{}", card.token);
            assert_eq!(card.last4.len(), 4);
            assert!(card.last4.bytes().all(|b| b.is_ascii_digit()));
            assert!(TEST_CARDS[..i].iter().all(|other| other.token != card.token), "{} twice", card.token);
        }
        assert_eq!(test_card("pm_card_visa").map(|c| c.last4), Some("4242"));
        assert_eq!(test_card("PM_CARD_VISA"), None);
    }

    #[test]
    fn the_dice_are_uniform_enough() {
        let gateway = SimulatedGateway::default();
        let rolls: Vec<f64> = (0..10_000).map(|_| gateway.uniform()).collect();
        assert!(rolls.iter().all(|r| (0.0..1.0).contains(r)));
        let below_half = rolls.iter().filter(|r| **r < 0.5).count();
        assert!((4_500..5_500).contains(&below_half), "{below_half}");
    }
}
