//! Refunds. [`refund_payment`] is the staff's refund: the provider gives the money
//! back first, then the refund is recorded. [`record_refund`] records a refund the
//! provider has already made: on the payment, then on its order, shared by the
//! staff's refund and the Stripe webhook (a refund made in Stripe's Dashboard).
//!
//! Both commands take ids derived from one caller-chosen key, so a retried request
//! or a redelivered webhook records the refund once. Once the provider has refunded,
//! the payment's record is what counts: an order that refuses to record the refund
//! (it was never marked paid) is logged, not answered as a failure.

use chrono::{DateTime, Utc};
use emporium_domain::Decider;
use emporium_domain::ids::PaymentId;
use emporium_domain::money::Money;
use emporium_domain::order::{Order, OrderCommand};
use emporium_domain::payment::{Payment, PaymentAttempt, PaymentCommand, PaymentError, PaymentState};
use emporium_infra::event_store::EventMetadata;
use emporium_infra::payments::{GatewayError, PaymentGateway};
use uuid::Uuid;

use crate::{Command, CommandError, CommandHandler};

/// Namespace of the command ids derived from a refund's key.
const REFUND_COMMANDS: Uuid = Uuid::from_u128(0x3b1f_5c2e_9a47_4d08_b6e3_70c1_d2a9_e514);

/// A refund the provider made, to be recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderRefund {
    /// Emporium's id of the refund (the payment ignores an id it has applied).
    pub refund_id: String,
    /// How much.
    pub amount: Money,
    /// When.
    pub at: DateTime<Utc>,
    /// What the command ids derive from: the same key, the same commands.
    pub key: String,
}

impl ProviderRefund {
    /// The payment's command for this refund.
    pub fn command(&self, payment: &PaymentAttempt) -> PaymentCommand {
        PaymentCommand::Refund {
            payment_id: payment.payment_id,
            refund_id: self.refund_id.clone(),
            amount: Some(self.amount),
            at: self.at,
        }
    }

    fn command_id(&self, step: &str) -> Uuid {
        Uuid::new_v5(&REFUND_COMMANDS, format!("{}:{step}", self.key).as_bytes())
    }
}

/// Records `refund` on `payment` and its order; returns the global position of the
/// last event written.
pub async fn record_refund(
    commands: &CommandHandler,
    metadata: &EventMetadata,
    payment: &PaymentAttempt,
    refund: &ProviderRefund,
) -> Result<u64, CommandError<PaymentError>> {
    let payment_id = payment.payment_id;
    let on_payment = Command {
        command_id: refund.command_id("payment"),
        aggregate_id: payment_id.to_string(),
        payload: refund.command(payment),
        metadata: metadata.clone(),
    };
    let recorded = commands.handle::<Payment>(&on_payment).await?;
    let on_order = Command {
        command_id: refund.command_id("order"),
        aggregate_id: payment.order_id.to_string(),
        payload: OrderCommand::RecordRefund { order_id: payment.order_id, amount: refund.amount, at: refund.at },
        metadata: metadata.clone(),
    };
    match commands.handle::<Order>(&on_order).await {
        Ok(outcome) => Ok(outcome.position.max(recorded.position)),
        Err(CommandError::Domain(refusal)) => {
            tracing::warn!(%payment_id, order_id = %payment.order_id, %refusal, "the order did not record a refund the provider made");
            Ok(recorded.position)
        }
        Err(CommandError::Store(error)) => Err(CommandError::Store(error)),
        Err(CommandError::Codec { stream_id, source }) => Err(CommandError::Codec { stream_id, source }),
        Err(CommandError::Contention { stream_id, attempts }) => Err(CommandError::Contention { stream_id, attempts }),
    }
}

/// A refund given by the provider and recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct RefundGiven {
    /// Emporium's id of the refund.
    pub refund_id: String,
    /// The provider's id of it.
    pub provider_refund_id: String,
    /// How much was refunded.
    pub amount: Money,
    /// The payment as it stands afterwards.
    pub payment: PaymentAttempt,
    /// The global position of the last event written.
    pub position: u64,
}

/// Why a refund was not given.
#[derive(Debug, thiserror::Error)]
pub enum RefundError {
    /// The payment refused it (not captured, more than captured, nothing left).
    #[error(transparent)]
    Refused(PaymentError),
    /// The provider refused it or could not be reached; nothing was refunded.
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    /// Recording failed, or the event store did.
    #[error(transparent)]
    Command(#[from] CommandError<PaymentError>),
}

/// The payment as the event log has it ([`PaymentError::NotFound`] when none).
pub async fn payment(commands: &CommandHandler, payment_id: PaymentId) -> Result<PaymentAttempt, RefundError> {
    let (payment, _, _) = commands.load::<Payment>(&payment_id.to_string()).await?;
    payment.payment().cloned().ok_or(RefundError::Refused(PaymentError::NotFound))
}

/// Refunds `amount` (all that is left when `None`) of the captured payment `before`:
/// the payment's rules checked first, then the provider refunds, then the refund is
/// recorded ([`record_refund`]). The provider call and both commands share one key
/// derived from the payment id and a fresh refund id, so a retried step never
/// refunds twice.
pub async fn refund_payment(
    commands: &CommandHandler,
    gateway: &dyn PaymentGateway,
    before: &PaymentAttempt,
    amount: Option<Money>,
    metadata: &EventMetadata,
) -> Result<RefundGiven, RefundError> {
    let payment_id = before.payment_id;
    let refund_id = Uuid::now_v7().to_string();
    let at = Utc::now();
    let asked = PaymentCommand::Refund { payment_id, refund_id: refund_id.clone(), amount, at };
    Payment::decide(&PaymentState::Present(before.clone()), &asked).map_err(RefundError::Refused)?;
    let amount = match amount {
        Some(amount) => amount,
        None => before.captured.checked_sub(&before.refunded).map_err(|e| RefundError::Refused(e.into()))?,
    };
    let reference = before.provider_reference.clone().ok_or(RefundError::Refused(PaymentError::NotCaptured))?;
    let key = format!("refund:{payment_id}:{refund_id}");
    let receipt = gateway.refund(&key, &reference, &amount).await?;
    let made = ProviderRefund { refund_id: refund_id.clone(), amount, at, key };
    let position = record_refund(commands, metadata, before, &made).await?;
    let payment = payment(commands, payment_id).await?;
    Ok(RefundGiven { refund_id, provider_refund_id: receipt.refund_id, amount, payment, position })
}
