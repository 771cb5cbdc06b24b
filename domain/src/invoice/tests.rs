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
    assert_eq!((state.last_number(), state.number_of(&order(7)), state.assigned()), (1, Some(1), 1));
}

#[test]
fn the_next_order_gets_the_next_number() {
    let state = given::<Invoice>(&[assigned(1, 1), assigned(2, 2)]).when(assign(3)).then(&[assigned(3, 3)]);
    assert_eq!(state.last_number(), 3);
}

#[test]
fn assigning_again_to_the_same_order_keeps_its_number() {
    let state = given::<Invoice>(&[assigned(1, 1), assigned(2, 2)]).when(assign(1)).then(&[]);
    assert_eq!((state.number_of(&order(1)), state.last_number()), (Some(1), 2));
}

#[test]
fn an_order_without_a_number_has_none() {
    let state = given::<Invoice>(&[assigned(1, 1)]).when(assign(1)).then(&[]);
    assert_eq!(state.number_of(&order(2)), None);
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
