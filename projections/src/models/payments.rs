//! The payments read models: each payment attempt, and each customer's saved methods.
//!
//! - `payments` (key: payment id): `id`, `order_id`, `customer_id`, `status`
//!   (`requested`, `authorized`, `captured`, `failed`, `partially_refunded`,
//!   `refunded`), `amount`, `authorized_amount`, `captured_amount`,
//!   `refunded_amount`, `method` (`{id, brand, last4}` when the token is one of the
//!   customer's saved methods, else null), `method_fingerprint`,
//!   `provider_reference`, `failure_reason`, `refunds` [`{refund_id, amount, at}`],
//!   `history` [`{status, at, amount, reason}`], `created_at`, `updated_at`, and
//!   `customer_fingerprint` (internal: customer id and token fingerprint, to match
//!   methods). "Payments of an order" is a query on `order_id`.
//! - `payment_methods` (key: method id): `id`, `customer_id`, `provider`, `brand`,
//!   `last4`, `token_fingerprint`, `created_at`, `customer_fingerprint` (internal).
//!   Never the token: the events do not carry it either. A removed method's document
//!   is deleted.
//!
//! A payment names its method only by the token's fingerprint, so the method is
//! matched on the customer's saved methods with that fingerprint, when the payment
//! is requested or, if the method is saved later, when it is saved.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use emporium_domain::Decider;
use emporium_domain::ids::{CustomerId, OrderId, PaymentId, PaymentMethodId};
use emporium_domain::money::Money;
use emporium_domain::payment::wallet::{PaymentMethodRemoved, PaymentMethodSaved};
use emporium_domain::payment::{
    Payment, PaymentEvent, PaymentRequested, PaymentStatus, TokenFingerprint, Wallet, WalletEvent,
};
use emporium_infra::event_store::RecordedEvent;
use emporium_infra::read_store::DocWrite;
use serde::{Deserialize, Serialize};

use super::render::{fixed_time, malformed, put};
use crate::{Documents, ProjectionError, Projector, decode};

/// Payment attempts, keyed by payment id.
pub const PAYMENTS: &str = "payments";
/// Saved payment methods, keyed by method id.
pub const PAYMENT_METHODS: &str = "payment_methods";

/// Projects payment and wallet events.
#[derive(Debug, Clone, Copy, Default)]
pub struct PaymentsProjector;

#[async_trait]
impl Projector for PaymentsProjector {
    fn name(&self) -> &'static str {
        "payments"
    }

    fn collections(&self) -> &'static [&'static str] {
        &[PAYMENTS, PAYMENT_METHODS]
    }

    async fn project(&self, event: &RecordedEvent, docs: &Documents) -> Result<Vec<DocWrite>, ProjectionError> {
        match event.category() {
            category if category == Payment::CATEGORY => project_payment(decode(event)?, docs).await,
            category if category == Wallet::CATEGORY => project_wallet(decode(event)?, docs).await,
            _ => Ok(Vec::new()),
        }
    }
}

/// A payment's method as shoppers recognise it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodSummary {
    /// The saved method's id.
    pub id: PaymentMethodId,
    /// Card brand, e.g. `visa`.
    pub brand: String,
    /// Last four digits.
    pub last4: String,
}

/// One refund of a payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundEntry {
    /// The refund's id.
    pub refund_id: String,
    /// How much.
    pub amount: Money,
    /// When.
    #[serde(with = "fixed_time")]
    pub at: DateTime<Utc>,
}

/// One step of a payment's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The status the payment took.
    pub status: PaymentStatus,
    /// When.
    #[serde(with = "fixed_time")]
    pub at: DateTime<Utc>,
    /// The amount the step concerned (authorised, captured, refunded).
    pub amount: Option<Money>,
    /// Why, for a failure.
    pub reason: Option<String>,
}

/// The stored payment document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentDoc {
    /// The payment.
    pub id: PaymentId,
    /// The order paid.
    pub order_id: OrderId,
    /// Who pays.
    pub customer_id: CustomerId,
    /// The current status.
    pub status: PaymentStatus,
    /// The amount requested.
    pub amount: Money,
    /// The amount held by the provider (zero until authorised).
    pub authorized_amount: Money,
    /// The amount taken (zero until captured).
    pub captured_amount: Money,
    /// All refunds so far.
    pub refunded_amount: Money,
    /// The saved method paid with, if known.
    pub method: Option<MethodSummary>,
    /// The fingerprint of the method's token.
    pub method_fingerprint: TokenFingerprint,
    /// `<customer id>:<token fingerprint>`, the key that matches saved methods.
    pub customer_fingerprint: String,
    /// The provider's id for the charge.
    pub provider_reference: Option<String>,
    /// Why the payment failed.
    pub failure_reason: Option<String>,
    /// Each refund, oldest first.
    pub refunds: Vec<RefundEntry>,
    /// Each status taken, oldest first.
    pub history: Vec<HistoryEntry>,
    /// When it was requested.
    #[serde(with = "fixed_time")]
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    #[serde(with = "fixed_time")]
    pub updated_at: DateTime<Utc>,
}

/// The stored saved-method document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentMethodDoc {
    /// The method.
    pub id: PaymentMethodId,
    /// Its owner.
    pub customer_id: CustomerId,
    /// The provider (`simulated`, `stripe`).
    pub provider: String,
    /// Card brand.
    pub brand: String,
    /// Last four digits.
    pub last4: String,
    /// The fingerprint of the provider's token.
    pub token_fingerprint: TokenFingerprint,
    /// `<customer id>:<token fingerprint>`, the key that matches payments.
    pub customer_fingerprint: String,
    /// When it was saved.
    #[serde(with = "fixed_time")]
    pub created_at: DateTime<Utc>,
}

async fn project_payment(event: PaymentEvent, docs: &Documents) -> Result<Vec<DocWrite>, ProjectionError> {
    if let PaymentEvent::PaymentRequested(requested) = &event {
        let doc = requested_doc(requested, docs).await?;
        return Ok(vec![put(PAYMENTS, &requested.payment_id.to_string(), &doc)?]);
    }
    let id = payment_id(&event).to_string();
    let Some(stored) = docs.get(PAYMENTS, &id).await? else {
        // As in the domain: nothing happens to a payment before it is requested.
        return Ok(Vec::new());
    };
    let mut doc: PaymentDoc = serde_json::from_value(stored).map_err(|e| malformed(PAYMENTS, &id, e.to_string()))?;
    apply(&mut doc, &event);
    Ok(vec![put(PAYMENTS, &id, &doc)?])
}

fn payment_id(event: &PaymentEvent) -> PaymentId {
    match event {
        PaymentEvent::PaymentRequested(e) => e.payment_id,
        PaymentEvent::PaymentAuthorized(e) => e.payment_id,
        PaymentEvent::PaymentCaptured(e) => e.payment_id,
        PaymentEvent::PaymentFailed(e) => e.payment_id,
        PaymentEvent::PaymentRefunded(e) => e.payment_id,
    }
}

async fn requested_doc(requested: &PaymentRequested, docs: &Documents) -> Result<PaymentDoc, ProjectionError> {
    let zero = Money::zero(requested.amount.currency());
    let method = saved_method(docs, requested.customer_id, requested.method_fingerprint).await?;
    Ok(PaymentDoc {
        id: requested.payment_id,
        order_id: requested.order_id,
        customer_id: requested.customer_id,
        status: PaymentStatus::Requested,
        amount: requested.amount,
        authorized_amount: zero,
        captured_amount: zero,
        refunded_amount: zero,
        method,
        method_fingerprint: requested.method_fingerprint,
        customer_fingerprint: customer_fingerprint(requested.customer_id, requested.method_fingerprint),
        provider_reference: None,
        failure_reason: None,
        refunds: Vec::new(),
        history: vec![step(PaymentStatus::Requested, requested.at, Some(requested.amount), None)],
        created_at: requested.at,
        updated_at: requested.at,
    })
}

fn step(status: PaymentStatus, at: DateTime<Utc>, amount: Option<Money>, reason: Option<String>) -> HistoryEntry {
    HistoryEntry { status, at, amount, reason }
}

/// Folds one later event into the document, with the domain's status rules.
fn apply(doc: &mut PaymentDoc, event: &PaymentEvent) {
    let entry = match event {
        PaymentEvent::PaymentRequested(_) => return,
        PaymentEvent::PaymentAuthorized(e) => {
            doc.status = PaymentStatus::Authorized;
            doc.provider_reference = Some(e.provider_reference.clone());
            doc.authorized_amount = e.amount;
            step(doc.status, e.at, Some(e.amount), None)
        }
        PaymentEvent::PaymentCaptured(e) => {
            doc.status = PaymentStatus::Captured;
            doc.captured_amount = e.amount;
            step(doc.status, e.at, Some(e.amount), None)
        }
        PaymentEvent::PaymentFailed(e) => {
            doc.status = PaymentStatus::Failed;
            doc.failure_reason = Some(e.reason.clone());
            step(doc.status, e.at, None, Some(e.reason.clone()))
        }
        PaymentEvent::PaymentRefunded(e) => {
            if doc.refunds.iter().any(|r| r.refund_id == e.refund_id) {
                return;
            }
            doc.refunded_amount = e.total_refunded;
            doc.refunds.push(RefundEntry { refund_id: e.refund_id.clone(), amount: e.amount, at: e.at });
            doc.status = if e.total_refunded == doc.captured_amount {
                PaymentStatus::Refunded
            } else {
                PaymentStatus::PartiallyRefunded
            };
            step(doc.status, e.at, Some(e.amount), None)
        }
    };
    doc.updated_at = entry.at;
    doc.history.push(entry);
}

/// The key joining a customer's payments to their saved methods.
fn customer_fingerprint(customer_id: CustomerId, fingerprint: TokenFingerprint) -> String {
    format!("{customer_id}:{fingerprint}")
}

/// The customer's saved method with this token fingerprint, oldest first.
async fn saved_method(
    docs: &Documents,
    customer_id: CustomerId,
    fingerprint: TokenFingerprint,
) -> Result<Option<MethodSummary>, ProjectionError> {
    let key = customer_fingerprint(customer_id, fingerprint);
    let mut mine = Vec::new();
    for (id, doc) in docs.find(PAYMENT_METHODS, "customer_fingerprint", key).await? {
        let method: PaymentMethodDoc =
            serde_json::from_value(doc).map_err(|e| malformed(PAYMENT_METHODS, &id, e.to_string()))?;
        mine.push(method);
    }
    mine.sort_by_key(|m| m.created_at);
    Ok(mine.into_iter().next().map(|m| MethodSummary { id: m.id, brand: m.brand, last4: m.last4 }))
}

async fn project_wallet(event: WalletEvent, docs: &Documents) -> Result<Vec<DocWrite>, ProjectionError> {
    match event {
        WalletEvent::PaymentMethodSaved(saved) => method_saved(&saved, docs).await,
        WalletEvent::PaymentMethodRemoved(PaymentMethodRemoved { method_id, .. }) => {
            Ok(vec![DocWrite::delete(PAYMENT_METHODS, method_id.to_string())])
        }
    }
}

/// Stores the method and names it on the customer's earlier payments with its token.
async fn method_saved(saved: &PaymentMethodSaved, docs: &Documents) -> Result<Vec<DocWrite>, ProjectionError> {
    let id = saved.method_id.to_string();
    let doc = PaymentMethodDoc {
        id: saved.method_id,
        customer_id: saved.customer_id,
        provider: saved.provider.clone(),
        brand: saved.brand.clone(),
        last4: saved.last4.clone(),
        token_fingerprint: saved.token_fingerprint,
        customer_fingerprint: customer_fingerprint(saved.customer_id, saved.token_fingerprint),
        created_at: saved.at,
    };
    let mut writes = vec![put(PAYMENT_METHODS, &id, &doc)?];
    let summary = MethodSummary { id: saved.method_id, brand: saved.brand.clone(), last4: saved.last4.clone() };
    for (payment_id, stored) in docs.find(PAYMENTS, "customer_fingerprint", doc.customer_fingerprint.clone()).await? {
        let mut payment: PaymentDoc =
            serde_json::from_value(stored).map_err(|e| malformed(PAYMENTS, &payment_id, e.to_string()))?;
        if payment.method.is_none() {
            payment.method = Some(summary.clone());
            writes.push(put(PAYMENTS, &payment_id, &payment)?);
        }
    }
    Ok(writes)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::sync::Arc;

    use emporium_domain::payment::{MethodToken, PaymentCaptured, PaymentRefunded};
    use emporium_infra::read_store::sqlite::SqliteReadStore;
    use uuid::Uuid;

    use super::*;
    use crate::models::fixtures::{at, eur, recorded};

    const ANN: CustomerId = CustomerId::from_uuid(Uuid::from_u128(0xA1));
    const BOB: CustomerId = CustomerId::from_uuid(Uuid::from_u128(0xB0));
    const PAY: PaymentId = PaymentId::from_uuid(Uuid::from_u128(0x1));
    const VISA: PaymentMethodId = PaymentMethodId::from_uuid(Uuid::from_u128(0x2));

    fn saved(customer_id: CustomerId, method_id: PaymentMethodId, token: &str) -> RecordedEvent {
        let event = WalletEvent::PaymentMethodSaved(PaymentMethodSaved {
            customer_id,
            method_id,
            provider: "simulated".into(),
            brand: "visa".into(),
            last4: "4242".into(),
            token_fingerprint: MethodToken::new(token).fingerprint(),
            at: at(1),
        });
        recorded(format!("wallet-{customer_id}"), &event)
    }

    fn payment(event: PaymentEvent) -> RecordedEvent {
        recorded(format!("payment-{PAY}"), &event)
    }

    fn requested(token: &str) -> RecordedEvent {
        payment(PaymentEvent::PaymentRequested(PaymentRequested {
            payment_id: PAY,
            order_id: OrderId::from_uuid(Uuid::from_u128(0x3)),
            customer_id: ANN,
            amount: eur(1000),
            method_fingerprint: MethodToken::new(token).fingerprint(),
            at: at(2),
        }))
    }

    async fn run(events: &[RecordedEvent]) -> (tempfile::TempDir, Documents) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteReadStore::open(dir.path().join("read.db")).await.unwrap();
        let mut docs = Documents::new(Arc::new(store));
        for event in events {
            let writes = PaymentsProjector.project(event, &docs).await.unwrap();
            docs.apply(writes);
        }
        (dir, docs)
    }

    async fn payment_doc(docs: &Documents) -> PaymentDoc {
        serde_json::from_value(docs.get(PAYMENTS, &PAY.to_string()).await.unwrap().unwrap()).unwrap()
    }

    #[tokio::test]
    async fn a_payment_names_the_payers_saved_method_with_its_token() {
        let (_dir, docs) = run(&[
            saved(BOB, PaymentMethodId::from_uuid(Uuid::from_u128(9)), "pm_card_visa"),
            saved(ANN, VISA, "pm_card_visa"),
            requested("pm_card_visa"),
        ])
        .await;
        let doc = payment_doc(&docs).await;
        assert_eq!(doc.method, Some(MethodSummary { id: VISA, brand: "visa".into(), last4: "4242".into() }));
        assert_eq!((doc.status, doc.amount, doc.refunded_amount), (PaymentStatus::Requested, eur(1000), eur(0)));
    }

    #[tokio::test]
    async fn a_method_saved_after_the_payment_is_named_on_it() {
        let (_dir, docs) = run(&[requested("pm_card_visa"), saved(ANN, VISA, "pm_card_visa")]).await;
        assert_eq!(payment_doc(&docs).await.method.map(|m| m.id), Some(VISA));
    }

    #[tokio::test]
    async fn refunds_move_the_status_and_the_history() {
        let order_id = OrderId::from_uuid(Uuid::from_u128(0x3));
        let refund = |id: &str, amount, total| {
            payment(PaymentEvent::PaymentRefunded(PaymentRefunded {
                payment_id: PAY,
                order_id,
                refund_id: id.into(),
                amount: eur(amount),
                total_refunded: eur(total),
                at: at(5),
            }))
        };
        let captured = payment(PaymentEvent::PaymentCaptured(PaymentCaptured {
            payment_id: PAY,
            order_id,
            amount: eur(1000),
            at: at(3),
        }));
        let (_dir, docs) = run(&[requested("pm_card_visa"), captured, refund("r1", 400, 400)]).await;
        let doc = payment_doc(&docs).await;
        assert_eq!((doc.status, doc.refunded_amount), (PaymentStatus::PartiallyRefunded, eur(400)));
        let (_dir, docs) = run(&[
            requested("pm_card_visa"),
            payment(PaymentEvent::PaymentCaptured(PaymentCaptured {
                payment_id: PAY,
                order_id,
                amount: eur(1000),
                at: at(3),
            })),
            refund("r1", 400, 400),
            refund("r2", 600, 1000),
        ])
        .await;
        let doc = payment_doc(&docs).await;
        assert_eq!((doc.status, doc.refunded_amount, doc.refunds.len()), (PaymentStatus::Refunded, eur(1000), 2));
        let statuses: Vec<_> = doc.history.iter().map(|h| h.status).collect();
        assert_eq!(
            statuses,
            [
                PaymentStatus::Requested,
                PaymentStatus::Captured,
                PaymentStatus::PartiallyRefunded,
                PaymentStatus::Refunded
            ]
        );
    }

    #[tokio::test]
    async fn a_removed_method_is_forgotten_and_no_token_is_stored() {
        let removed =
            WalletEvent::PaymentMethodRemoved(PaymentMethodRemoved { customer_id: ANN, method_id: VISA, at: at(4) });
        let (_dir, docs) = run(&[saved(ANN, VISA, "pm_card_visa")]).await;
        let stored = docs.get(PAYMENT_METHODS, &VISA.to_string()).await.unwrap().unwrap();
        assert!(!stored.to_string().contains("pm_card_visa"));
        assert_eq!(stored["last4"], "4242");
        let (_dir, docs) = run(&[saved(ANN, VISA, "pm_card_visa"), recorded(format!("wallet-{ANN}"), &removed)]).await;
        assert_eq!(docs.get(PAYMENT_METHODS, &VISA.to_string()).await.unwrap(), None);
    }
}
