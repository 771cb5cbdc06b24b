//! The simulator's books: what was asked under each idempotency key and what was
//! answered, and the authorisations those answers created.
//!
//! Shaped like an event-sourced aggregate so that it can be journaled: [`Ledger::decide`]
//! looks at a request and picks an [`Outcome`] without changing anything,
//! [`Ledger::apply`] records an [`Entry`] (request + outcome). A live call decides,
//! journals, then applies; opening a journal applies its entries in order, which
//! rebuilds exactly the books the simulator had.

use std::collections::HashMap;

use emporium_domain::money::Money;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::cards::test_card;
use crate::payments::{Authorization, GatewayError, RefundReceipt};

/// What was asked under an idempotency key; a reuse must ask the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "snake_case")]
pub(super) enum Request {
    Authorize { amount: Money, method_token: String },
    Capture { provider_reference: String, amount: Money },
    Void { provider_reference: String },
    Refund { provider_reference: String, amount: Money },
}

/// The provider's answer to one request: success or a final refusal. Transient
/// failures are never recorded (nothing happened, or the answer was merely lost).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub(super) enum Outcome {
    Authorized { provider_reference: String },
    Captured,
    Voided,
    Refunded { refund_id: String },
    Declined { reason: String },
    InvalidMethod,
    Rejected { message: String },
}

impl Outcome {
    fn refused(error: GatewayError) -> Self {
        match error {
            GatewayError::Declined { reason } => Self::Declined { reason },
            GatewayError::InvalidMethod => Self::InvalidMethod,
            GatewayError::Rejected(message) | GatewayError::Unavailable(message) => Self::Rejected { message },
        }
    }

    /// The authorisation this outcome grants, or why not.
    pub(super) fn authorization(self) -> Result<Authorization, GatewayError> {
        match self {
            Self::Authorized { provider_reference } => Ok(Authorization { provider_reference }),
            other => Err(other.refusal()),
        }
    }

    /// Success of a capture, or why not.
    pub(super) fn capture(self) -> Result<(), GatewayError> {
        match self {
            Self::Captured => Ok(()),
            other => Err(other.refusal()),
        }
    }

    /// Success of a void, or why not.
    pub(super) fn void(self) -> Result<(), GatewayError> {
        match self {
            Self::Voided => Ok(()),
            other => Err(other.refusal()),
        }
    }

    /// The refund receipt, or why not.
    pub(super) fn receipt(self) -> Result<RefundReceipt, GatewayError> {
        match self {
            Self::Refunded { refund_id } => Ok(RefundReceipt { refund_id }),
            other => Err(other.refusal()),
        }
    }

    fn refusal(self) -> GatewayError {
        match self {
            Self::Declined { reason } => GatewayError::Declined { reason },
            Self::InvalidMethod => GatewayError::InvalidMethod,
            Self::Rejected { message } => GatewayError::Rejected(message),
            // A success of another kind under this key: the key was reused.
            Self::Authorized { .. } | Self::Captured | Self::Voided | Self::Refunded { .. } => key_reused(),
        }
    }
}

/// One journaled call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Entry {
    pub(super) key: String,
    pub(super) request: Request,
    pub(super) outcome: Outcome,
}

pub(super) fn key_reused() -> GatewayError {
    GatewayError::Rejected("idempotency key reused with different parameters".to_owned())
}

/// One authorisation in the ledger.
#[derive(Debug, Clone)]
pub(super) struct Intent {
    pub(super) sequence: u64,
    pub(super) method_token: String,
    pub(super) authorized: Money,
    pub(super) captured: Option<Money>,
    pub(super) voided: bool,
    pub(super) refunded: Money,
}

/// Answers by idempotency key, authorisations by provider reference.
#[derive(Debug, Default)]
pub(super) struct Ledger {
    answers: HashMap<String, (Request, Outcome)>,
    pub(super) intents: HashMap<String, Intent>,
    sequence: u64,
}

/// What [`Ledger::lookup`] found under a key.
pub(super) enum Seen {
    /// Never asked: decide and record.
    New,
    /// Asked before with the same request: the recorded answer.
    Repeat(Outcome),
}

impl Ledger {
    /// The recorded answer for a repeated key; a different request under it is refused.
    pub(super) fn lookup(&self, key: &str, request: &Request) -> Result<Seen, GatewayError> {
        if key.trim().is_empty() {
            return Err(GatewayError::Rejected("an idempotency key is required".to_owned()));
        }
        match self.answers.get(key) {
            None => Ok(Seen::New),
            Some((asked, outcome)) if asked == request => Ok(Seen::Repeat(outcome.clone())),
            Some(_) => Err(key_reused()),
        }
    }

    /// The answer a new request gets; changes nothing.
    pub(super) fn decide(&self, request: &Request) -> Outcome {
        let decided = match request {
            Request::Authorize { amount, method_token } => self.authorize(amount, method_token),
            Request::Capture { provider_reference, amount } => self.capture(provider_reference, amount),
            Request::Void { provider_reference } => self.void(provider_reference),
            Request::Refund { provider_reference, amount } => self.refund(provider_reference, amount),
        };
        decided.unwrap_or_else(Outcome::refused)
    }

    /// Records a call and its effect on the authorisations.
    pub(super) fn apply(&mut self, entry: Entry) {
        match (&entry.request, &entry.outcome) {
            (Request::Authorize { amount, method_token }, Outcome::Authorized { provider_reference }) => {
                self.sequence += 1;
                let intent = Intent {
                    sequence: self.sequence,
                    method_token: method_token.clone(),
                    authorized: *amount,
                    captured: None,
                    voided: false,
                    refunded: Money::zero(amount.currency()),
                };
                self.intents.insert(provider_reference.clone(), intent);
            }
            (Request::Capture { provider_reference, amount }, Outcome::Captured) => {
                if let Some(intent) = self.intents.get_mut(provider_reference) {
                    intent.captured = Some(*amount);
                }
            }
            (Request::Void { provider_reference }, Outcome::Voided) => {
                if let Some(intent) = self.intents.get_mut(provider_reference) {
                    intent.voided = true;
                }
            }
            (Request::Refund { provider_reference, amount }, Outcome::Refunded { .. }) => {
                if let Some(intent) = self.intents.get_mut(provider_reference)
                    && let Ok(total) = intent.refunded.checked_add(amount)
                {
                    intent.refunded = total;
                }
            }
            // Refusals change no authorisation; they are only remembered per key.
            _ => {}
        }
        self.answers.insert(entry.key, (entry.request, entry.outcome));
    }

    fn authorize(&self, amount: &Money, method_token: &str) -> Result<Outcome, GatewayError> {
        if amount.is_zero() {
            return Err(GatewayError::Rejected("the amount must be positive".to_owned()));
        }
        let card = test_card(method_token).ok_or(GatewayError::InvalidMethod)?;
        if let Some(reason) = card.decline {
            return Err(GatewayError::Declined { reason: reason.to_owned() });
        }
        Ok(Outcome::Authorized { provider_reference: format!("pi_sim_{}", Uuid::now_v7().simple()) })
    }

    fn intent(&self, reference: &str) -> Result<&Intent, GatewayError> {
        self.intents.get(reference).ok_or_else(|| GatewayError::Rejected(format!("no such payment: {reference}")))
    }

    fn capture(&self, reference: &str, amount: &Money) -> Result<Outcome, GatewayError> {
        let intent = self.intent(reference)?;
        if intent.captured.is_some() {
            return Err(GatewayError::Rejected(format!("payment {reference} was already captured")));
        }
        if intent.voided {
            return Err(GatewayError::Rejected(format!("payment {reference} was canceled")));
        }
        checked_amount(amount, &intent.authorized, "capture", "authorized")?;
        Ok(Outcome::Captured)
    }

    /// As Stripe cancels a PaymentIntent: only one neither captured nor canceled.
    fn void(&self, reference: &str) -> Result<Outcome, GatewayError> {
        let intent = self.intent(reference)?;
        if intent.captured.is_some() {
            return Err(GatewayError::Rejected(format!("payment {reference} was captured; refund it instead")));
        }
        if intent.voided {
            return Err(GatewayError::Rejected(format!("payment {reference} was already canceled")));
        }
        Ok(Outcome::Voided)
    }

    fn refund(&self, reference: &str, amount: &Money) -> Result<Outcome, GatewayError> {
        let intent = self.intent(reference)?;
        let captured =
            intent.captured.ok_or_else(|| GatewayError::Rejected(format!("payment {reference} was not captured")))?;
        let refundable = captured.checked_sub(&intent.refunded).map_err(|e| GatewayError::Rejected(e.to_string()))?;
        checked_amount(amount, &refundable, "refund", "refundable")?;
        Ok(Outcome::Refunded { refund_id: format!("re_sim_{}", Uuid::now_v7().simple()) })
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
