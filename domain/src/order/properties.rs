//! Properties of orders under any sequence of commands.

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use uuid::Uuid;

use super::*;
use crate::decider::Decider;
use crate::discount::Discount;
use crate::ids::{CustomerId, OrderId, PaymentId, ProductId};
use crate::money::{Currency, MAX_AMOUNT_MINOR, Money};
use crate::values::{Quantity, Sku};

const ORDER: OrderId = OrderId::from_uuid(Uuid::from_u128(0x0D));

fn at(minute: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_750_000_000, 0).unwrap() + Duration::minutes(minute)
}

fn money() -> impl Strategy<Value = Money> {
    let currency = prop_oneof![15 => Just("USD"), 1 => Just("EUR")];
    let amount = prop_oneof![8 => 0i64..=100_000, 1 => Just(MAX_AMOUNT_MINOR)];
    (amount, currency).prop_map(|(amount, code)| Money::new(amount, Currency::parse(code).unwrap()).unwrap())
}

fn order_line() -> impl Strategy<Value = OrderLine> {
    (1u128..=5, money(), 1i64..=5).prop_map(|(n, unit_price, quantity)| OrderLine {
        product_id: ProductId::from_uuid(Uuid::from_u128(n)),
        sku: Sku::parse(&format!("SKU-{n}")).unwrap(),
        name: format!("Product {n}"),
        unit_price,
        quantity: Quantity::new(quantity).unwrap(),
    })
}

fn create() -> impl Strategy<Value = OrderCommand> {
    let discount = prop_oneof![
        (0u8..=110).prop_map(|percent| Discount::Percent { percent }),
        money().prop_map(|amount| Discount::Fixed { amount }),
    ];
    let coupon = proptest::option::of(discount.prop_map(|discount| OrderCoupon { code: "prop".into(), discount }));
    // Mostly valid orders: one in ten has no line at all.
    let lines = prop_oneof![1 => Just(0usize..1), 9 => Just(1usize..5)]
        .prop_flat_map(|count| proptest::collection::vec(order_line(), count));
    (lines, coupon).prop_map(|(lines, coupon)| OrderCommand::Create {
        order_id: ORDER,
        customer_id: CustomerId::from_uuid(Uuid::from_u128(0xA1)),
        lines,
        coupon,
        shipping_address: ShippingAddress {
            name: "Ann".into(),
            line1: "1 Main St".into(),
            line2: None,
            city: "Springfield".into(),
            postal_code: "12345".into(),
            country: CountryCode::parse("US").unwrap(),
        },
        payment_method: "pm_card_visa".into(),
        at: at(0),
    })
}

/// A command whose amounts are picked when it runs, from the order it runs against.
#[derive(Debug, Clone)]
enum Step {
    Create(Box<OrderCommand>),
    Reserve,
    Pay { payment: u128, exact: bool, other: Money },
    Fail { deadline: i64 },
    ChangeMethod { card: bool },
    Confirm { invoice_number: u64 },
    Ship,
    Deliver,
    Cancel,
    Refund { rest: bool, percent: i64, other: Option<Money> },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        1 => create().prop_map(|command| Step::Create(Box::new(command))),
        2 => Just(Step::Reserve),
        3 => (1u128..=2, proptest::bool::weighted(0.8), money())
            .prop_map(|(payment, exact, other)| Step::Pay { payment, exact, other }),
        2 => (-30i64..90).prop_map(|deadline| Step::Fail { deadline }),
        2 => proptest::bool::weighted(0.1).prop_map(|card| Step::ChangeMethod { card }),
        2 => (0u64..3).prop_map(|invoice_number| Step::Confirm { invoice_number }),
        2 => Just(Step::Ship),
        2 => Just(Step::Deliver),
        1 => Just(Step::Cancel),
        2 => (proptest::bool::weighted(0.4), 0i64..=100, proptest::option::weighted(0.2, money()))
            .prop_map(|(rest, percent, other)| Step::Refund { rest, percent, other }),
    ]
}

fn command(step: &Step, state: &OrderState, minute: i64) -> OrderCommand {
    let order_id = ORDER;
    let at = at(minute);
    let total = state.order().map_or(Money::zero(Currency::parse("USD").unwrap()), |order| order.total);
    match step {
        Step::Create(command) => (**command).clone(),
        Step::Reserve => OrderCommand::MarkItemsReserved { order_id, at },
        Step::Pay { payment, exact, other } => OrderCommand::RecordPaymentProcessed {
            order_id,
            payment_id: PaymentId::from_uuid(Uuid::from_u128(*payment)),
            amount: if *exact { total } else { *other },
            at,
        },
        Step::Fail { deadline } => {
            OrderCommand::RecordPaymentFailed { order_id, reason: "declined".into(), deadline: self::at(*deadline), at }
        }
        Step::ChangeMethod { card } => OrderCommand::ChangePaymentMethod {
            order_id,
            payment_method: if *card { "4242 4242 4242 4242".into() } else { "paypal".into() },
            at,
        },
        Step::Confirm { invoice_number } => OrderCommand::Confirm { order_id, invoice_number: *invoice_number, at },
        Step::Ship => OrderCommand::Ship { order_id, carrier: "DHL".into(), tracking_number: "JD01".into(), at },
        Step::Deliver => OrderCommand::Deliver { order_id, at },
        Step::Cancel => OrderCommand::Cancel { order_id, reason: "no longer wanted".into(), at },
        Step::Refund { rest, percent, other } => {
            let (paid, refunded) = state.order().map_or((total, total), |order| (order.paid, order.refunded));
            let refundable = paid.amount() - refunded.amount();
            let share = if *rest { refundable } else { paid.amount() * percent / 100 };
            let share = Money::new(share, paid.currency()).unwrap();
            OrderCommand::RecordRefund { order_id, amount: other.unwrap_or(share), at }
        }
    }
}

/// Runs the steps, returning every state reached (before and after each accepted
/// command) and all events recorded.
fn run(steps: &[Step]) -> (Vec<(OrderState, OrderState)>, Vec<OrderEvent>) {
    let mut state = OrderState::default();
    let mut transitions = Vec::new();
    let mut history = Vec::new();
    for (minute, step) in steps.iter().enumerate() {
        let command = command(step, &state, minute as i64);
        if let Ok(events) = Order::decide(&state, &command) {
            let before = state.clone();
            for event in events {
                state = Order::evolve(state, &event);
                history.push(event);
            }
            transitions.push((before, state.clone()));
        }
    }
    (transitions, history)
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    (create(), proptest::collection::vec(step(), 0..40)).prop_map(|(first, mut rest)| {
        rest.insert(0, Step::Create(Box::new(first)));
        rest
    })
}

fn check_totals(order: &PlacedOrder) -> Result<(), TestCaseError> {
    let mut sum = 0i128;
    for line in &order.lines {
        let expected = i128::from(line.unit_price.amount()) * i128::from(line.quantity.get());
        prop_assert_eq!(i128::from(line.line_total.amount()), expected);
        sum += expected;
    }
    prop_assert_eq!(i128::from(order.subtotal.amount()), sum);
    prop_assert!(order.discount.amount() <= order.subtotal.amount());
    prop_assert_eq!(order.total.amount(), order.subtotal.amount() - order.discount.amount());
    prop_assert!((1..=MAX_ORDER_LINES).contains(&order.lines.len()));
    prop_assert!(order.refunded.amount() <= order.paid.amount(), "refunds never exceed payments");
    Ok(())
}

proptest! {
    #[test]
    fn the_total_is_the_sum_of_lines_less_the_discount(steps in steps()) {
        let (transitions, _) = run(&steps);
        for (_, after) in &transitions {
            if let Some(order) = after.order() {
                check_totals(order)?;
            }
        }
    }

    #[test]
    fn no_command_sequence_makes_an_illegal_status_transition(steps in steps()) {
        let (transitions, _) = run(&steps);
        for (before, after) in &transitions {
            if let (Some(before), Some(after)) = (before.order(), after.order()) {
                prop_assert!(
                    before.status == after.status || before.status.can_become(after.status),
                    "{} -> {}", before.status, after.status
                );
            }
        }
        if let Some(order) = transitions.last().and_then(|(_, last)| last.order()) {
            prop_assert_eq!(order.status_history.first().map(|(status, _)| *status), Some(OrderStatus::Pending));
            prop_assert_eq!(order.status_history.last().map(|(status, _)| *status), Some(order.status));
            for pair in order.status_history.windows(2) {
                prop_assert!(pair[0].0.can_become(pair[1].0), "{} -> {}", pair[0].0, pair[1].0);
            }
        }
    }

    #[test]
    fn replaying_the_stored_events_rebuilds_the_same_state(steps in steps()) {
        let (transitions, history) = run(&steps);
        let stored: Vec<OrderEvent> = history
            .iter()
            .map(|event| serde_json::from_str(&serde_json::to_string(event).unwrap()).unwrap())
            .collect();
        prop_assert_eq!(&stored, &history);
        let last = transitions.last().map(|(_, after)| after.clone()).unwrap_or_default();
        prop_assert_eq!(Order::replay(&stored), last);
    }
}
