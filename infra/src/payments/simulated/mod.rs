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
//! is recorded in a ledger and a repeat returns it, so the same key never charges
//! twice; a key reused for a different request is [`GatewayError::Rejected`], as Stripe
//! refuses it. Captures are at most the authorised amount (once per authorisation),
//! refunds at most what was captured and not yet refunded, a void only of an
//! authorisation neither captured nor voided (which then cannot be captured); anything
//! else is `Rejected`.
//!
//! [`SimulatedGateway::open`] keeps the ledger in a journal file, synced before each
//! answer, so the simulated provider outlives the Emporium process as a real one
//! does: after a kill and restart, an authorisation made before the crash can still be
//! captured and a repeated key still gets its first answer. [`SimulatedGateway::new`]
//! keeps it in memory only (for tests).
//!
//! Fault injection ([`SimulatedOptions`]): every call first waits `latency`, then
//! fails with [`GatewayError::Unavailable`] with probability `failure_rate`. Half of
//! the injected failures happen *after* the ledger recorded the operation (a lost
//! response, as with a real provider), so callers must retry with the same key —
//! which returns the recorded answer and never charges twice.

mod cards;
mod journal;
mod ledger;

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use emporium_domain::money::Money;
use uuid::Uuid;

pub use self::cards::{TEST_CARDS, TestCard, test_card};
use self::journal::Journal;
use self::ledger::{Entry, Intent, Ledger, Outcome, Request, Seen};
use super::{Authorization, AuthorizeRequest, GatewayError, MethodDetails, PaymentGateway, RefundReceipt};

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
    /// True once the authorisation was released without a capture.
    pub voided: bool,
    /// All refunds so far.
    pub refunded: Money,
}

impl SimulatedPayment {
    fn of(reference: &str, intent: &Intent) -> Self {
        Self {
            provider_reference: reference.to_owned(),
            method_token: intent.method_token.clone(),
            authorized: intent.authorized,
            captured: intent.captured,
            voided: intent.voided,
            refunded: intent.refunded,
        }
    }
}

/// The simulated provider; see the module docs.
#[derive(Debug)]
pub struct SimulatedGateway {
    options: SimulatedOptions,
    books: Mutex<Books>,
    dice: AtomicU64,
}

/// The ledger and, when durable, the journal every new answer goes to first.
#[derive(Debug, Default)]
struct Books {
    ledger: Ledger,
    journal: Option<Journal>,
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
    /// A simulator whose ledger lives in memory only.
    pub fn new(options: SimulatedOptions) -> Self {
        Self::with_books(options, Books::default())
    }

    /// A simulator whose ledger is kept in the journal file at `path` (created if
    /// missing; its history is loaded). Fails on an unreadable or corrupt journal.
    pub fn open(options: SimulatedOptions, path: &Path) -> std::io::Result<Self> {
        let (journal, entries) = Journal::open(path)?;
        let mut ledger = Ledger::default();
        let loaded = entries.len();
        for entry in entries {
            ledger.apply(entry);
        }
        tracing::info!(path = %journal.path().display(), entries = loaded, "simulated payment journal opened");
        Ok(Self::with_books(options, Books { ledger, journal: Some(journal) }))
    }

    fn with_books(options: SimulatedOptions, books: Books) -> Self {
        // Seed the dice from a fresh UUIDv7's random bits: no rand dependency needed.
        let seed = Uuid::now_v7().as_u128() as u64;
        Self { options, books: Mutex::new(books), dice: AtomicU64::new(seed) }
    }

    /// The options it runs with.
    pub fn options(&self) -> SimulatedOptions {
        self.options
    }

    /// Every authorisation the simulator holds, oldest first.
    pub fn payments(&self) -> Vec<SimulatedPayment> {
        let Ok(books) = self.books.lock() else {
            return Vec::new();
        };
        let mut intents: Vec<(&String, &Intent)> = books.ledger.intents.iter().collect();
        intents.sort_by_key(|(_, intent)| intent.sequence);
        intents.into_iter().map(|(reference, intent)| SimulatedPayment::of(reference, intent)).collect()
    }

    /// One authorisation by provider reference.
    pub fn payment(&self, provider_reference: &str) -> Option<SimulatedPayment> {
        let books = self.books.lock().ok()?;
        books.ledger.intents.get(provider_reference).map(|intent| SimulatedPayment::of(provider_reference, intent))
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

    fn books(&self) -> Result<MutexGuard<'_, Books>, GatewayError> {
        self.books.lock().map_err(|_| GatewayError::Unavailable("the simulated ledger is poisoned".to_owned()))
    }

    /// Waits, maybe fails, runs `operation`, maybe loses the answer.
    async fn call<T>(&self, operation: impl FnOnce() -> Result<T, GatewayError>) -> Result<T, GatewayError> {
        self.pause().await;
        let fault = self.roll();
        if fault == Fault::Before {
            return Err(GatewayError::Unavailable(
                "injected failure: the simulated provider did not answer".to_owned(),
            ));
        }
        let answer = operation();
        if fault == Fault::After {
            return Err(GatewayError::Unavailable(
                "injected failure: the simulated provider's answer was lost".to_owned(),
            ));
        }
        answer
    }

    /// Answers `request` once per key: a repeat gets the recorded outcome; a new one is
    /// decided, journaled (synced) and only then applied and answered.
    fn record(&self, key: &str, request: Request) -> Result<Outcome, GatewayError> {
        let mut books = self.books()?;
        if let Seen::Repeat(outcome) = books.ledger.lookup(key, &request)? {
            return Ok(outcome);
        }
        let outcome = books.ledger.decide(&request);
        let entry = Entry { key: key.to_owned(), request, outcome: outcome.clone() };
        if let Some(journal) = books.journal.as_mut() {
            // Blocking, but short and under the books' lock on purpose: the order in the
            // file is the order the calls were answered in.
            journal.append(&entry).map_err(|error| {
                GatewayError::Unavailable(format!("the simulated provider could not record the call: {error}"))
            })?;
        }
        books.ledger.apply(entry);
        Ok(outcome)
    }
}

#[async_trait]
impl PaymentGateway for SimulatedGateway {
    fn name(&self) -> &'static str {
        "simulated"
    }

    async fn describe_method(&self, method_token: &str) -> Result<MethodDetails, GatewayError> {
        self.call(|| {
            let card = test_card(method_token).ok_or(GatewayError::InvalidMethod)?;
            Ok(MethodDetails { brand: card.brand.to_owned(), last4: card.last4.to_owned() })
        })
        .await
    }

    async fn authorize(&self, request: &AuthorizeRequest) -> Result<Authorization, GatewayError> {
        let asked = Request::Authorize { amount: request.amount, method_token: request.method_token.clone() };
        self.call(|| self.record(&request.idempotency_key, asked)).await.and_then(Outcome::authorization)
    }

    async fn capture(
        &self,
        idempotency_key: &str,
        provider_reference: &str,
        amount: &Money,
    ) -> Result<(), GatewayError> {
        let asked = Request::Capture { provider_reference: provider_reference.to_owned(), amount: *amount };
        self.call(|| self.record(idempotency_key, asked)).await.and_then(Outcome::capture)
    }

    async fn void(&self, idempotency_key: &str, provider_reference: &str) -> Result<(), GatewayError> {
        let asked = Request::Void { provider_reference: provider_reference.to_owned() };
        self.call(|| self.record(idempotency_key, asked)).await.and_then(Outcome::void)
    }

    async fn refund(
        &self,
        idempotency_key: &str,
        provider_reference: &str,
        amount: &Money,
    ) -> Result<RefundReceipt, GatewayError> {
        let asked = Request::Refund { provider_reference: provider_reference.to_owned(), amount: *amount };
        self.call(|| self.record(idempotency_key, asked)).await.and_then(Outcome::receipt)
    }
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
