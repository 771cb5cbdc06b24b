//! Given / when / then scenarios for every stock command and refusal.
#![allow(clippy::unwrap_used, reason = "fixtures fail the test loudly")]

use chrono::{DateTime, Utc};

use super::*;
use crate::event::DomainEvent;
use crate::ids::OrderId;
use crate::testing::given;
use crate::values::{Quantity, Sku, ValueError};

pub(super) fn sku() -> Sku {
    Sku::parse("TEE-RED-L").unwrap()
}

pub(super) fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_700_000_000 + secs, 0).unwrap()
}

pub(super) fn order(n: u128) -> OrderId {
    OrderId::from_uuid(uuid::Uuid::from_u128(n))
}

pub(super) fn qty(n: i64) -> Quantity {
    Quantity::new(n).unwrap()
}

fn received(quantity: i64, on_hand: u64, available: u64) -> InventoryEvent {
    InventoryEvent::StockReceived(StockReceived { sku: sku(), quantity: qty(quantity), on_hand, available, at: at(0) })
}

fn reserved(order_id: u128, quantity: i64, on_hand: u64, available: u64) -> InventoryEvent {
    InventoryEvent::StockReserved(StockReserved {
        sku: sku(),
        order_id: order(order_id),
        quantity: qty(quantity),
        on_hand,
        available,
        at: at(1),
    })
}

fn receive(quantity: i64) -> InventoryCommand {
    InventoryCommand::ReceiveStock { sku: sku(), quantity: qty(quantity), at: at(0) }
}

fn adjust(delta: i64, reason: &str) -> InventoryCommand {
    InventoryCommand::AdjustStock { sku: sku(), delta, reason: reason.to_owned(), at: at(2) }
}

fn reserve(order_id: u128, quantity: i64) -> InventoryCommand {
    InventoryCommand::Reserve { sku: sku(), order_id: order(order_id), quantity: qty(quantity), at: at(1) }
}

fn release(order_id: u128) -> InventoryCommand {
    InventoryCommand::Release { sku: sku(), order_id: order(order_id), at: at(3) }
}

fn commit(order_id: u128) -> InventoryCommand {
    InventoryCommand::Commit { sku: sku(), order_id: order(order_id), at: at(3) }
}

#[test]
fn receiving_stock_into_a_new_stream_puts_units_on_hand() {
    let state = given::<Inventory>(&[]).when(receive(10)).then(&[received(10, 10, 10)]);
    assert!(state.exists());
    assert_eq!(state.sku(), Some(&sku()));
    assert_eq!((state.on_hand(), state.available()), (10, 10));
}

#[test]
fn receiving_adds_to_what_is_on_hand_and_reports_availability_net_of_reservations() {
    given::<Inventory>(&[received(10, 10, 10), reserved(1, 4, 10, 6)]).when(receive(5)).then(&[received(5, 15, 11)]);
}

#[test]
fn receiving_beyond_the_on_hand_limit_is_refused() {
    let full: Vec<_> =
        (0..MAX_ON_HAND / u64::from(Quantity::MAX)).map(|_| received(i64::from(Quantity::MAX), 0, 0)).collect();
    given::<Inventory>(&full).when(receive(1)).then_error(InventoryError::OnHandLimitExceeded { max: MAX_ON_HAND });
}

#[test]
fn a_positive_adjustment_adds_units() {
    let expected = InventoryEvent::StockAdjusted(StockAdjusted {
        sku: sku(),
        delta: 3,
        reason: "recount".into(),
        on_hand: 13,
        available: 13,
        at: at(2),
    });
    given::<Inventory>(&[received(10, 10, 10)]).when(adjust(3, "  recount ")).then(&[expected]);
}

#[test]
fn a_negative_adjustment_removes_available_units() {
    let expected = InventoryEvent::StockAdjusted(StockAdjusted {
        sku: sku(),
        delta: -6,
        reason: "water damage".into(),
        on_hand: 4,
        available: 4,
        at: at(2),
    });
    let state = given::<Inventory>(&[received(10, 10, 10)]).when(adjust(-6, "water damage")).then(&[expected]);
    assert_eq!(state.on_hand(), 4);
}

#[test]
fn an_adjustment_may_not_take_away_reserved_units() {
    given::<Inventory>(&[received(10, 10, 10), reserved(1, 4, 10, 6)])
        .when(adjust(-7, "lost"))
        .then_error(InventoryError::AdjustmentExceedsAvailable { delta: -7, available: 6 });
}

#[test]
fn an_adjustment_of_zero_or_more_than_the_largest_quantity_is_refused() {
    given::<Inventory>(&[]).when(adjust(0, "nothing")).then_error(InventoryError::InvalidAdjustment(0));
    let too_big = i64::from(Quantity::MAX) + 1;
    given::<Inventory>(&[]).when(adjust(too_big, "x")).then_error(InventoryError::InvalidAdjustment(too_big));
    given::<Inventory>(&[]).when(adjust(i64::MIN, "x")).then_error(InventoryError::InvalidAdjustment(i64::MIN));
}

#[test]
fn an_adjustment_needs_a_reason() {
    let invalid = InventoryError::InvalidReason(ValueError::InvalidText { field: "reason", max: 200 });
    given::<Inventory>(&[]).when(adjust(5, "  ")).then_error(invalid.clone());
    given::<Inventory>(&[]).when(adjust(5, &"x".repeat(201))).then_error(invalid);
}

#[test]
fn a_positive_adjustment_beyond_the_on_hand_limit_is_refused() {
    let full: Vec<_> =
        (0..MAX_ON_HAND / u64::from(Quantity::MAX)).map(|_| received(i64::from(Quantity::MAX), 0, 0)).collect();
    given::<Inventory>(&full)
        .when(adjust(1, "found one"))
        .then_error(InventoryError::OnHandLimitExceeded { max: MAX_ON_HAND });
}

#[test]
fn reserving_holds_units_for_an_order() {
    let state = given::<Inventory>(&[received(10, 10, 10)]).when(reserve(1, 4)).then(&[reserved(1, 4, 10, 6)]);
    assert_eq!(state.reservation(&order(1)), Some(qty(4)));
    assert_eq!((state.on_hand(), state.reserved(), state.available()), (10, 4, 6));
}

#[test]
fn reserving_more_than_is_available_is_refused() {
    given::<Inventory>(&[received(10, 10, 10), reserved(1, 4, 10, 6)])
        .when(reserve(2, 7))
        .then_error(InventoryError::InsufficientStock { requested: 7, available: 6 });
}

#[test]
fn reserving_from_a_sku_never_stocked_is_refused() {
    given::<Inventory>(&[])
        .when(reserve(1, 1))
        .then_error(InventoryError::InsufficientStock { requested: 1, available: 0 });
}

#[test]
fn reserving_the_same_quantity_again_for_the_same_order_is_a_no_op() {
    given::<Inventory>(&[received(10, 10, 10), reserved(1, 4, 10, 6)]).when(reserve(1, 4)).then(&[]);
}

#[test]
fn reserving_a_different_quantity_for_an_order_that_already_holds_units_is_refused() {
    given::<Inventory>(&[received(10, 10, 10), reserved(1, 4, 10, 6)])
        .when(reserve(1, 5))
        .then_error(InventoryError::AlreadyReserved { order_id: order(1), reserved: 4 });
}

#[test]
fn releasing_gives_back_the_whole_reservation() {
    let expected = InventoryEvent::StockReleased(StockReleased {
        sku: sku(),
        order_id: order(1),
        quantity: qty(4),
        on_hand: 10,
        available: 10,
        at: at(3),
    });
    let state = given::<Inventory>(&[received(10, 10, 10), reserved(1, 4, 10, 6)]).when(release(1)).then(&[expected]);
    assert_eq!(state.reservation(&order(1)), None);
    assert_eq!(state.available(), 10);
}

#[test]
fn releasing_an_order_without_a_reservation_is_a_no_op() {
    given::<Inventory>(&[received(10, 10, 10)]).when(release(9)).then(&[]);
}

#[test]
fn committing_sells_the_reserved_units() {
    let expected = InventoryEvent::StockCommitted(StockCommitted {
        sku: sku(),
        order_id: order(1),
        quantity: qty(4),
        on_hand: 6,
        available: 4,
        at: at(3),
    });
    let state = given::<Inventory>(&[received(10, 10, 10), reserved(1, 4, 10, 6), reserved(2, 2, 10, 4)])
        .when(commit(1))
        .then(&[expected]);
    assert_eq!((state.on_hand(), state.reserved(), state.available(), state.committed()), (6, 2, 4, 4));
}

#[test]
fn committing_an_order_without_a_reservation_is_refused() {
    given::<Inventory>(&[received(10, 10, 10)]).when(commit(1)).then_error(InventoryError::NoReservation(order(1)));
}

#[test]
fn committing_twice_is_refused_so_no_unit_is_sold_twice() {
    let committed = InventoryEvent::StockCommitted(StockCommitted {
        sku: sku(),
        order_id: order(1),
        quantity: qty(4),
        on_hand: 6,
        available: 6,
        at: at(3),
    });
    given::<Inventory>(&[received(10, 10, 10), reserved(1, 4, 10, 6), committed])
        .when(commit(1))
        .then_error(InventoryError::NoReservation(order(1)));
}

#[test]
fn the_stream_id_is_the_category_and_the_sku() {
    assert_eq!(Inventory::stream_id(&sku()), "inventory-TEE-RED-L");
    assert_eq!(receive(1).sku(), &sku());
}

#[test]
fn events_serialize_with_their_type_as_tag_and_round_trip() {
    let events = [
        received(10, 10, 10),
        reserved(1, 4, 10, 6),
        InventoryEvent::StockAdjusted(StockAdjusted {
            sku: sku(),
            delta: -1,
            reason: "r".into(),
            on_hand: 9,
            available: 5,
            at: at(2),
        }),
        InventoryEvent::StockReleased(StockReleased {
            sku: sku(),
            order_id: order(1),
            quantity: qty(4),
            on_hand: 9,
            available: 9,
            at: at(3),
        }),
        InventoryEvent::StockCommitted(StockCommitted {
            sku: sku(),
            order_id: order(1),
            quantity: qty(4),
            on_hand: 5,
            available: 5,
            at: at(3),
        }),
    ];
    for event in events {
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["event_type"], event.event_type());
        assert_eq!(json["data"]["sku"], "TEE-RED-L");
        assert_eq!(event.schema_version(), 1);
        assert_eq!(serde_json::from_value::<InventoryEvent>(json).unwrap(), event);
    }
}

#[test]
fn error_codes_are_stable_and_namespaced() {
    let errors = [
        (InventoryError::InsufficientStock { requested: 1, available: 0 }, "inventory.insufficient_stock"),
        (
            InventoryError::AdjustmentExceedsAvailable { delta: -1, available: 0 },
            "inventory.adjustment_exceeds_available",
        ),
        (InventoryError::InvalidAdjustment(0), "inventory.invalid_adjustment"),
        (InventoryError::InvalidReason(ValueError::InvalidEmail), "inventory.invalid_reason"),
        (InventoryError::OnHandLimitExceeded { max: 1 }, "inventory.on_hand_limit_exceeded"),
        (InventoryError::AlreadyReserved { order_id: order(1), reserved: 1 }, "inventory.already_reserved"),
        (InventoryError::NoReservation(order(1)), "inventory.no_reservation"),
    ];
    for (error, code) in errors {
        assert_eq!(error.code(), code);
    }
}

#[cfg(feature = "schema")]
#[test]
fn every_event_type_has_a_json_schema() {
    let schema = serde_json::to_string(&schemars::schema_for!(InventoryEvent)).unwrap();
    for event_type in ["StockReceived", "StockAdjusted", "StockReserved", "StockReleased", "StockCommitted"] {
        assert!(schema.contains(event_type), "{event_type} missing from the schema");
    }
}
