//! Properties of carts under any sequence of commands.

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use uuid::Uuid;

use super::*;
use crate::decider::Decider;
use crate::discount::Discount;
use crate::ids::{CartId, CartLineId, CustomerId, OrderId, ProductId};
use crate::money::{Currency, MAX_AMOUNT_MINOR, Money};
use crate::values::{Quantity, Sku};

const CART: CartId = CartId::from_uuid(Uuid::from_u128(0xCA));

fn at(minute: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_750_000_000, 0).unwrap() + Duration::minutes(minute)
}

fn money() -> impl Strategy<Value = Money> {
    let currency = prop_oneof![4 => Just("USD"), 1 => Just("EUR")];
    let amount = prop_oneof![8 => 0i64..=100_000, 1 => Just(MAX_AMOUNT_MINOR / 3), 1 => Just(MAX_AMOUNT_MINOR)];
    (amount, currency).prop_map(|(amount, code)| Money::new(amount, Currency::parse(code).unwrap()).unwrap())
}

fn quantity() -> impl Strategy<Value = Quantity> {
    prop_oneof![8 => 1i64..=5, 1 => Just(i64::from(Quantity::MAX))].prop_map(|n| Quantity::new(n).unwrap())
}

fn discount() -> impl Strategy<Value = Discount> {
    prop_oneof![
        (0u8..=120).prop_map(|percent| Discount::Percent { percent }),
        money().prop_map(|amount| Discount::Fixed { amount })
    ]
}

fn line_id() -> impl Strategy<Value = CartLineId> {
    (1u128..=4).prop_map(|n| CartLineId::from_uuid(Uuid::from_u128(n)))
}

fn command() -> impl Strategy<Value = CartCommand> {
    let customer =
        prop_oneof![9 => Just(0xA1u128), 1 => Just(0xB0u128)].prop_map(|n| CustomerId::from_uuid(Uuid::from_u128(n)));
    let product = (1u128..=4).prop_map(|n| ProductId::from_uuid(Uuid::from_u128(0x100 + n)));
    let minute = -120i64..120;
    prop_oneof![
        4 => (customer, line_id(), product, money(), quantity(), minute.clone()).prop_map(
            |(customer_id, line_id, product_id, unit_price, quantity, m)| CartCommand::AddItem {
                cart_id: CART,
                customer_id,
                line_id,
                product_id,
                sku: Sku::parse(&format!("SKU-{}", product_id.as_uuid().as_u128())).unwrap(),
                name: "Thing".into(),
                unit_price,
                quantity,
                at: at(m),
            }
        ),
        2 => (line_id(), quantity(), minute.clone())
            .prop_map(|(line_id, quantity, m)| CartCommand::ChangeQuantity { cart_id: CART, line_id, quantity, at: at(m) }),
        1 => (line_id(), minute.clone()).prop_map(|(line_id, m)| CartCommand::RemoveItem { cart_id: CART, line_id, at: at(m) }),
        2 => (discount(), -120i64..120, 1i64..120, proptest::option::of(0u32..3), minute.clone()).prop_map(
            |(discount, from, length, uses_left, m)| CartCommand::ApplyCoupon {
                cart_id: CART,
                code: "PROP".into(),
                discount,
                valid_from: at(from),
                valid_until: at(from + length),
                uses_left,
                at: at(m),
            }
        ),
        1 => minute.clone().prop_map(|m| CartCommand::RemoveCoupon { cart_id: CART, at: at(m) }),
        1 => minute.clone().prop_map(|m| CartCommand::Clear { cart_id: CART, at: at(m) }),
        1 => (1u128..1000, minute).prop_map(|(n, m)| CartCommand::CheckOut {
            cart_id: CART,
            order_id: OrderId::from_uuid(Uuid::from_u128(n)),
            at: at(m),
        }),
    ]
}

/// Runs the accepted commands, returning every state reached and all events recorded.
fn run(commands: &[CartCommand]) -> (Vec<CartState>, Vec<CartEvent>) {
    let mut state = CartState::default();
    let mut states = vec![state.clone()];
    let mut history = Vec::new();
    for command in commands {
        if let Ok(events) = Cart::decide(&state, command) {
            for event in events {
                state = Cart::evolve(state, &event);
                history.push(event);
            }
            states.push(state.clone());
        }
    }
    (states, history)
}

fn check_invariants(cart: &OpenCart) -> Result<(), TestCaseError> {
    prop_assert!(cart.lines.len() <= MAX_CART_LINES);
    let currencies: Vec<Currency> = cart.lines.iter().map(|line| line.unit_price.currency()).collect();
    prop_assert!(currencies.windows(2).all(|pair| pair[0] == pair[1]), "one currency per cart");
    for (i, line) in cart.lines.iter().enumerate() {
        prop_assert!(cart.lines[..i].iter().all(|other| other.product_id != line.product_id), "one line per product");
    }
    if cart.is_empty() {
        prop_assert!(cart.coupon.is_none(), "an empty cart keeps no coupon");
    }
    let totals = cart_totals(cart);
    prop_assert!(totals.is_ok(), "totals computable: {totals:?}");
    let Ok(Some(totals)) = totals else {
        prop_assert!(cart.is_empty());
        return Ok(());
    };
    let line_sum: i128 =
        cart.lines.iter().map(|line| i128::from(line.unit_price.amount()) * i128::from(line.quantity.get())).sum();
    prop_assert_eq!(i128::from(totals.subtotal.amount()), line_sum);
    let line_totals: i128 = totals.lines.iter().map(|line| i128::from(line.total.amount())).sum();
    prop_assert_eq!(line_totals, line_sum);
    prop_assert!(totals.discount.amount() <= totals.subtotal.amount());
    prop_assert_eq!(totals.total.amount(), totals.subtotal.amount() - totals.discount.amount());
    prop_assert!(totals.total.amount() >= 0);
    Ok(())
}

proptest! {
    #[test]
    fn totals_are_the_sum_of_lines_less_the_discount_and_never_negative(
        commands in proptest::collection::vec(command(), 0..60)
    ) {
        let (states, _) = run(&commands);
        for state in &states {
            if let Some(cart) = state.cart() {
                check_invariants(cart)?;
            }
        }
    }

    #[test]
    fn replaying_the_stored_events_rebuilds_the_same_state(
        commands in proptest::collection::vec(command(), 0..60)
    ) {
        let (states, history) = run(&commands);
        let stored: Vec<CartEvent> = history
            .iter()
            .map(|event| serde_json::from_str(&serde_json::to_string(event).unwrap()).unwrap())
            .collect();
        prop_assert_eq!(&stored, &history);
        prop_assert_eq!(Some(&Cart::replay(&stored)), states.last());
    }

    #[test]
    fn every_refusal_has_a_cart_code(
        commands in proptest::collection::vec(command(), 0..40)
    ) {
        let (states, _) = run(&commands);
        if let Some(state) = states.last() {
            for command in &commands {
                if let Err(error) = Cart::decide(state, command) {
                    prop_assert!(error.code().starts_with("cart."));
                }
            }
        }
    }
}
