//! Invariants of a SKU's stock under any sequence of commands.
#![allow(clippy::unwrap_used, reason = "fixtures fail the test loudly")]

use proptest::prelude::*;

use super::tests::{at, order, qty, sku};
use super::*;

fn command() -> impl Strategy<Value = InventoryCommand> {
    let order_id = 1u128..=4;
    prop_oneof![
        (1i64..=20).prop_map(|q| InventoryCommand::ReceiveStock { sku: sku(), quantity: qty(q), at: at(0) }),
        (-30i64..=30).prop_map(|delta| InventoryCommand::AdjustStock {
            sku: sku(),
            delta,
            reason: "count".into(),
            at: at(0)
        }),
        (order_id.clone(), 1i64..=15).prop_map(|(o, q)| InventoryCommand::Reserve {
            sku: sku(),
            order_id: order(o),
            quantity: qty(q),
            at: at(0)
        }),
        order_id.clone().prop_map(|o| InventoryCommand::Release { sku: sku(), order_id: order(o), at: at(0) }),
        order_id.prop_map(|o| InventoryCommand::Commit { sku: sku(), order_id: order(o), at: at(0) }),
    ]
}

/// The levels an event reports, to compare with the state it leads to.
fn reported_levels(event: &InventoryEvent) -> (u64, u64) {
    match event {
        InventoryEvent::StockReceived(e) => (e.on_hand, e.available),
        InventoryEvent::StockAdjusted(e) => (e.on_hand, e.available),
        InventoryEvent::StockReserved(e) => (e.on_hand, e.available),
        InventoryEvent::StockReleased(e) => (e.on_hand, e.available),
        InventoryEvent::StockCommitted(e) => (e.on_hand, e.available),
    }
}

proptest! {
    #[test]
    fn stock_is_never_oversold_and_replay_rebuilds_the_same_state(commands in prop::collection::vec(command(), 0..60)) {
        let mut state = InventoryState::default();
        let mut history = Vec::new();
        // Units that ever entered the stock, net of adjustments.
        let mut net_in: i64 = 0;
        for command in &commands {
            let Ok(events) = Inventory::decide(&state, command) else { continue };
            for event in events {
                match &event {
                    InventoryEvent::StockReceived(e) => net_in += i64::from(e.quantity.get()),
                    InventoryEvent::StockAdjusted(e) => net_in += e.delta,
                    _ => {}
                }
                state = Inventory::evolve(state, &event);
                prop_assert!(state.reserved() <= state.on_hand(), "reserved {} > on hand {}", state.reserved(), state.on_hand());
                prop_assert_eq!(reported_levels(&event), (state.on_hand(), state.available()));
                history.push(event);
            }
            // Every unit that came in is either still on hand or was sold exactly once.
            prop_assert_eq!(i64::try_from(state.on_hand() + state.committed()).unwrap(), net_in);
        }
        prop_assert_eq!(Inventory::replay(&history), state);
    }

    #[test]
    fn a_reservation_is_granted_exactly_when_enough_units_are_available(
        stock in 0i64..=30, requested in 1i64..=40,
    ) {
        let mut state = InventoryState::default();
        if stock > 0 {
            let events = Inventory::decide(&state, &InventoryCommand::ReceiveStock { sku: sku(), quantity: qty(stock), at: at(0) }).unwrap();
            state = Inventory::replay(&events);
        }
        let result = Inventory::decide(&state, &InventoryCommand::Reserve { sku: sku(), order_id: order(1), quantity: qty(requested), at: at(1) });
        if requested <= stock {
            prop_assert_eq!(result.map(|events| events.len()), Ok(1));
        } else {
            let error = InventoryError::InsufficientStock { requested: requested as u64, available: stock as u64 };
            prop_assert_eq!(result, Err(error));
        }
    }
}
