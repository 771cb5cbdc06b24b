//! Given / when / then scenarios for the invoice sequence.

use chrono::{DateTime, Utc};

use super::*;
use crate::event::DomainEvent;
use crate::ids::OrderId;
use crate::testing::given;

pub(super) fn order(n: u128) -> OrderId {
    OrderId::from_uuid(uuid::Uuid::from_u128(n))
}

pub(super) fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_700_000_000 + secs, 0).unwrap()
}

pub(super) fn assign(n: u128) -> InvoiceCommand {
    InvoiceCommand::Assign { order_id: order(n), at: at(1) }
}

fn assigned(n: u128, number: u64) -> InvoiceEvent {
    InvoiceEvent::InvoiceNumberAssigned(InvoiceNumberAssigned { order_id: order(n), number, at: at(1) })
}

#[test]
fn the_first_order_gets_number_one() {
    let state = given::<Invoice>(&[]).when(assign(7)).then(&[assigned(7, 1)]);
    assert_eq!((state.last_number(), state.last_order()), (1, Some(order(7))));
}

#[test]
fn the_next_order_gets_the_next_number() {
    let state = given::<Invoice>(&[assigned(1, 1), assigned(2, 2)]).when(assign(3)).then(&[assigned(3, 3)]);
    assert_eq!(state.last_number(), 3);
}

#[test]
fn assigning_again_to_the_last_order_keeps_its_number() {
    let state = given::<Invoice>(&[assigned(1, 1), assigned(2, 2)]).when(assign(2)).then(&[]);
    assert_eq!((state.last_order(), state.last_number()), (Some(order(2)), 2));
}

#[test]
fn the_state_does_not_grow_with_the_number_of_invoices() {
    let history: Vec<InvoiceEvent> = (1..=1000).map(|n| assigned(n, n as u64)).collect();
    let state = Invoice::replay(&history);
    assert_eq!(state, InvoiceState { last: 1000, last_order: Some(order(1000)) });
}

#[test]
fn an_exhausted_sequence_refuses_new_orders() {
    given::<Invoice>(&[assigned(1, u64::MAX)]).when(assign(2)).then_error(InvoiceError::Exhausted);
}

#[test]
fn events_serialize_with_their_type_as_tag() {
    let event = assigned(1, 42);
    let json = serde_json::to_value(&event).unwrap();
    assert_eq!(json["event_type"], event.event_type());
    assert_eq!(json["data"]["number"], 42);
    assert_eq!(json["data"]["order_id"], order(1).to_string());
    assert_eq!(serde_json::from_value::<InvoiceEvent>(json).unwrap(), event);
}

#[test]
fn the_stream_is_invoice_sequence_and_codes_are_stable() {
    assert_eq!(format!("{}-{}", Invoice::CATEGORY, Invoice::SEQUENCE), "invoice-sequence");
    assert_eq!(InvoiceError::Exhausted.code(), "invoice.exhausted");
}
