//! What the payment read endpoints answer, built from the `payments` and
//! `payment_methods` read models' documents (never a token or its fingerprint).

use emporium_api_kit::ApiError;
use emporium_projections::models::payments::{
    HistoryEntry, PAYMENT_METHODS, PAYMENTS, PaymentDoc, PaymentMethodDoc, RefundEntry,
};
use emporium_projections::models::timestamp;
use serde::Serialize;
use serde_json::Value;

use crate::document;
use emporium_api_kit::MoneyView;

/// A saved payment method as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MethodView {
    /// The method's id (use it as an order's `payment_method`).
    pub id: String,
    /// Card brand, e.g. `visa`.
    pub brand: String,
    /// Last four digits.
    pub last4: String,
}

/// A saved method in a customer's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SavedMethodView {
    /// The method's id (use it as an order's `payment_method`).
    pub id: String,
    /// Card brand, e.g. `visa`.
    pub brand: String,
    /// Last four digits.
    pub last4: String,
    /// The provider holding the token.
    pub provider: String,
    /// When it was saved (RFC 3339, UTC).
    pub created_at: String,
}

/// A customer's saved methods, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MethodList {
    /// The methods.
    pub items: Vec<SavedMethodView>,
    /// How many.
    pub total: u64,
}

/// One refund of a payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RefundView {
    /// The refund's id.
    pub id: String,
    /// How much.
    pub amount: MoneyView,
    /// When (RFC 3339, UTC).
    pub at: String,
}

/// One step of a payment's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PaymentStep {
    /// The status taken: `requested`, `authorized`, `captured`, `failed`,
    /// `partially_refunded`, `refunded`.
    pub status: String,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// The amount the step concerned, if any.
    pub amount: Option<MoneyView>,
    /// Why, for a failure.
    pub reason: Option<String>,
}

/// A payment attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PaymentView {
    /// The payment's id.
    pub id: String,
    /// The order it pays.
    pub order_id: String,
    /// Who pays.
    pub customer_id: String,
    /// `requested`, `authorized`, `captured`, `failed`, `partially_refunded` or `refunded`.
    pub status: String,
    /// The amount asked.
    pub amount: MoneyView,
    /// The amount the provider holds (zero until authorised).
    pub authorized_amount: MoneyView,
    /// The amount taken (zero until captured).
    pub captured_amount: MoneyView,
    /// All refunds so far.
    pub refunded_amount: MoneyView,
    /// The saved method paid with, when the token is one of the customer's saved methods.
    pub method: Option<MethodView>,
    /// The provider's id of the charge, once authorised.
    pub provider_reference: Option<String>,
    /// Why the payment failed (the provider's decline code), if it did.
    pub failure_reason: Option<String>,
    /// Each refund, oldest first.
    pub refunds: Vec<RefundView>,
    /// Each status taken, oldest first.
    pub history: Vec<PaymentStep>,
    /// When it was requested (RFC 3339, UTC).
    pub created_at: String,
    /// When it last changed (RFC 3339, UTC).
    pub updated_at: String,
}

/// The payments of one order: the one that counts, and every attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct OrderPayments {
    /// The order's current payment: the captured (or refunded) one, else the latest attempt.
    #[serde(flatten)]
    pub current: PaymentView,
    /// Every attempt for the order, oldest first (a declined one, then a retry).
    pub attempts: Vec<PaymentView>,
}

impl PaymentView {
    /// Reads a `payments` document.
    pub fn from_doc(doc: Value) -> Result<Self, ApiError> {
        let doc: PaymentDoc = document::parse(PAYMENTS, doc)?;
        Ok(Self::from(&doc))
    }

    /// Whether this attempt took money (captured, or refunded since).
    pub fn took_money(&self) -> bool {
        self.captured_amount.amount > 0
    }
}

impl From<&PaymentDoc> for PaymentView {
    fn from(doc: &PaymentDoc) -> Self {
        Self {
            id: doc.id.to_string(),
            order_id: doc.order_id.to_string(),
            customer_id: doc.customer_id.to_string(),
            status: doc.status.as_str().to_owned(),
            amount: (&doc.amount).into(),
            authorized_amount: (&doc.authorized_amount).into(),
            captured_amount: (&doc.captured_amount).into(),
            refunded_amount: (&doc.refunded_amount).into(),
            method: doc.method.as_ref().map(|m| MethodView {
                id: m.id.to_string(),
                brand: m.brand.clone(),
                last4: m.last4.clone(),
            }),
            provider_reference: doc.provider_reference.clone(),
            failure_reason: doc.failure_reason.clone(),
            refunds: doc.refunds.iter().map(refund).collect(),
            history: doc.history.iter().map(step).collect(),
            created_at: timestamp(doc.created_at),
            updated_at: timestamp(doc.updated_at),
        }
    }
}

fn refund(entry: &RefundEntry) -> RefundView {
    RefundView { id: entry.refund_id.clone(), amount: (&entry.amount).into(), at: timestamp(entry.at) }
}

fn step(entry: &HistoryEntry) -> PaymentStep {
    PaymentStep {
        status: entry.status.as_str().to_owned(),
        at: timestamp(entry.at),
        amount: entry.amount.as_ref().map(MoneyView::from),
        reason: entry.reason.clone(),
    }
}

impl SavedMethodView {
    /// Reads a `payment_methods` document.
    pub fn from_doc(doc: Value) -> Result<Self, ApiError> {
        let doc: PaymentMethodDoc = document::parse(PAYMENT_METHODS, doc)?;
        Ok(Self {
            id: doc.id.to_string(),
            brand: doc.brand,
            last4: doc.last4,
            provider: doc.provider,
            created_at: timestamp(doc.created_at),
        })
    }
}
