//! Which events cause which messages: the dispatch for one event of a batch, in log
//! order. It keeps the directory and the schedule current and collects the
//! messages to queue; nothing is sent here.
//!
//! | event | message |
//! |---|---|
//! | `CustomerRegistered` | welcome |
//! | `OrderConfirmed` | order confirmation |
//! | `PaymentCaptured`, `PaymentProcessed` | payment confirmation (once per payment) |
//! | `OrderShipped` | shipping update |
//! | `OrderCancelled` | cancellation |
//! | `PaymentRefunded`, `OrderRefunded` | refund (once per refunded total) |
//! | `CampaignRequested` | one promotion per customer who opted in |

use emporium_domain::Decider;
use emporium_domain::DomainEvent;
use emporium_domain::customer::{Customer, CustomerEvent};
use emporium_domain::ids::OrderId;
use emporium_domain::money::Money;
use emporium_domain::notification::{
    Campaign, CampaignEvent, Channel, Notification, NotificationEvent, NotificationKind,
};
use emporium_domain::order::{Order, OrderEvent};
use emporium_domain::payment::{Payment, PaymentEvent};
use emporium_infra::codec::decode;
use emporium_infra::event_store::RecordedEvent;

use super::campaign::fan_out;
use super::directory::{self, CustomerEntry};
use super::dispatcher::caused_by;
use super::error::DispatchError;
use super::facts::{Facts, LineFacts};
use super::ids;
use super::overlay::Overlay;
use super::queue::{Draft, Work};
use super::schedule;

/// Handles one event: learns from it, and when `fresh`, drafts what it causes.
pub(super) async fn react(
    view: &mut Overlay,
    recorded: &RecordedEvent,
    fresh: bool,
    work: &mut Work,
) -> Result<(), DispatchError> {
    match recorded.category() {
        category if category == Customer::CATEGORY => {
            let Some(event) = readable::<CustomerEvent>(recorded) else { return Ok(()) };
            directory::learn_customer(view, &event).await?;
            if let (CustomerEvent::CustomerRegistered(e), true) = (&event, fresh) {
                let customer = CustomerEntry {
                    id: e.customer_id,
                    email: e.email.as_str().to_owned(),
                    name: e.name.clone(),
                    phone: None,
                    marketing_opt_in: false,
                };
                let id = ids::for_event(NotificationKind::Welcome, recorded.event_id);
                work.drafts.push(Draft::email(id, customer, Facts::Welcome, recorded));
            }
        }
        category if category == Order::CATEGORY => {
            let Some(event) = readable::<OrderEvent>(recorded) else { return Ok(()) };
            if let OrderEvent::OrderCreated(created) = &event {
                directory::learn_order(view, created)?;
            } else if fresh {
                on_order_event(view, recorded, &event, work).await?;
            }
        }
        category if category == Payment::CATEGORY && fresh => {
            let Some(event) = readable::<PaymentEvent>(recorded) else { return Ok(()) };
            match &event {
                PaymentEvent::PaymentCaptured(e) => {
                    let id = ids::payment_confirmation(e.payment_id);
                    about_order(view, recorded, e.order_id, id, |_| payment_facts(e.order_id, &e.amount), work).await?;
                }
                PaymentEvent::PaymentRefunded(e) => {
                    let id = ids::refund(e.order_id, &e.total_refunded);
                    about_order(
                        view,
                        recorded,
                        e.order_id,
                        id,
                        |_| refund_facts(e.order_id, &e.amount, &e.total_refunded),
                        work,
                    )
                    .await?;
                }
                _ => {}
            }
        }
        category if category == Notification::CATEGORY => {
            let Some(event) = readable::<NotificationEvent>(recorded) else { return Ok(()) };
            schedule::follow(view, &event)?;
        }
        category if category == Campaign::CATEGORY => {
            let Some(CampaignEvent::CampaignRequested(requested)) = readable::<CampaignEvent>(recorded) else {
                return Ok(());
            };
            fan_out(view, recorded, &requested, fresh, work).await?;
        }
        _ => {}
    }
    Ok(())
}

async fn on_order_event(
    view: &Overlay,
    recorded: &RecordedEvent,
    event: &OrderEvent,
    work: &mut Work,
) -> Result<(), DispatchError> {
    match event {
        OrderEvent::OrderConfirmed(e) => {
            let id = ids::for_event(NotificationKind::OrderConfirmation, recorded.event_id);
            about_order(
                view,
                recorded,
                e.order_id,
                id,
                |order| Facts::OrderConfirmation {
                    order_id: e.order_id.to_string(),
                    invoice_number: e.invoice_number,
                    lines: order
                        .lines
                        .iter()
                        .map(|line| LineFacts {
                            name: line.name.clone(),
                            quantity: line.quantity,
                            line_total: line.line_total.to_string(),
                        })
                        .collect(),
                    subtotal: order.subtotal.to_string(),
                    discount: (!order.discount.is_zero()).then(|| order.discount.to_string()),
                    total: order.total.to_string(),
                },
                work,
            )
            .await
        }
        OrderEvent::PaymentProcessed(e) => {
            let id = ids::payment_confirmation(e.payment_id);
            about_order(view, recorded, e.order_id, id, |_| payment_facts(e.order_id, &e.amount), work).await
        }
        OrderEvent::OrderShipped(e) => {
            let id = ids::for_event(NotificationKind::ShippingUpdate, recorded.event_id);
            let facts = Facts::ShippingUpdate {
                order_id: e.order_id.to_string(),
                carrier: e.carrier.clone(),
                tracking_number: e.tracking_number.clone(),
            };
            about_order(view, recorded, e.order_id, id, |_| facts, work).await
        }
        OrderEvent::OrderCancelled(e) => {
            let id = ids::for_event(NotificationKind::Cancellation, recorded.event_id);
            let facts = Facts::Cancellation {
                order_id: e.order_id.to_string(),
                reason: e.reason.clone(),
                refund_due: e.refund_due,
            };
            about_order(view, recorded, e.order_id, id, |_| facts, work).await
        }
        OrderEvent::OrderRefunded(e) => {
            let id = ids::refund(e.order_id, &e.total_refunded);
            about_order(
                view,
                recorded,
                e.order_id,
                id,
                |_| refund_facts(e.order_id, &e.amount, &e.total_refunded),
                work,
            )
            .await
        }
        _ => Ok(()),
    }
}

/// Drafts a message about an order to its customer, if the directory knows both.
async fn about_order(
    view: &Overlay,
    recorded: &RecordedEvent,
    order_id: OrderId,
    id: emporium_domain::notification::NotificationId,
    facts: impl FnOnce(&directory::OrderEntry) -> Facts,
    work: &mut Work,
) -> Result<(), DispatchError> {
    if let Some((order, customer)) = directory::order_and_customer(view, order_id).await? {
        work.drafts.push(Draft::email(id, customer, facts(&order), recorded));
    }
    Ok(())
}

fn payment_facts(order_id: OrderId, amount: &Money) -> Facts {
    Facts::PaymentConfirmation { order_id: order_id.to_string(), amount: amount.to_string() }
}

fn refund_facts(order_id: OrderId, amount: &Money, total_refunded: &Money) -> Facts {
    Facts::Refund {
        order_id: order_id.to_string(),
        amount: amount.to_string(),
        total_refunded: total_refunded.to_string(),
    }
}

/// The event as its aggregate's enum; an unreadable one is logged and skipped, since
/// blocking every message behind it is worse than missing one.
fn readable<E: DomainEvent>(recorded: &RecordedEvent) -> Option<E> {
    match decode::<E>(recorded) {
        Ok(event) => Some(event),
        Err(error) => {
            tracing::error!(event_id = %recorded.event_id, position = recorded.global_position, %error, "undecodable event skipped by the notification dispatcher");
            None
        }
    }
}

impl Draft {
    /// An e-mail draft caused by `recorded`.
    pub(super) fn email(
        id: emporium_domain::notification::NotificationId,
        customer: CustomerEntry,
        facts: Facts,
        recorded: &RecordedEvent,
    ) -> Self {
        Self {
            notification_id: id,
            customer,
            channel: Channel::Email,
            facts,
            metadata: caused_by(recorded),
            campaign: None,
        }
    }
}
