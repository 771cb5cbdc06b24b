//! Given / when / then scenarios for every order command and refusal.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::*;
use crate::discount::Discount;
use crate::event::DomainEvent;
use crate::ids::{CustomerId, OrderId, PaymentId, ProductId};
use crate::money::{Currency, MAX_AMOUNT_MINOR, Money, MoneyError};
use crate::testing::given;
use crate::values::{Quantity, Sku, ValueError};

fn at(minute: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_750_000_000, 0).unwrap() + Duration::minutes(minute)
}

fn usd(amount: i64) -> Money {
    Money::new(amount, Currency::parse("USD").unwrap()).unwrap()
}

fn eur(amount: i64) -> Money {
    Money::new(amount, Currency::parse("EUR").unwrap()).unwrap()
}

const ORDER: OrderId = OrderId::from_uuid(Uuid::from_u128(0x0D));
const ANN: CustomerId = CustomerId::from_uuid(Uuid::from_u128(0xA1));
const TEE: ProductId = ProductId::from_uuid(Uuid::from_u128(0x7EE));
const MUG: ProductId = ProductId::from_uuid(Uuid::from_u128(0x3A6));
const PAYMENT: PaymentId = PaymentId::from_uuid(Uuid::from_u128(0x9A1));
const OTHER_PAYMENT: PaymentId = PaymentId::from_uuid(Uuid::from_u128(0x9A2));
const TEN_PERCENT: Discount = Discount::Percent { percent: 10 };

fn line(product_id: ProductId, unit_price: Money, quantity: i64) -> OrderLine {
    OrderLine {
        product_id,
        sku: Sku::parse(if product_id == TEE { "TEE-1" } else { "MUG-1" }).unwrap(),
        name: if product_id == TEE { "Tee".into() } else { "Mug".into() },
        unit_price,
        quantity: Quantity::new(quantity).unwrap(),
    }
}

fn priced(line: &OrderLine) -> PricedOrderLine {
    price_line(line).unwrap()
}

fn address() -> ShippingAddress {
    ShippingAddress {
        name: "Ann Lee".into(),
        line1: "1 Main St".into(),
        line2: None,
        city: "Springfield".into(),
        postal_code: "12345".into(),
        country: CountryCode::parse("US").unwrap(),
    }
}

fn create_with(lines: Vec<OrderLine>, coupon: Option<OrderCoupon>) -> OrderCommand {
    OrderCommand::Create {
        order_id: ORDER,
        customer_id: ANN,
        lines,
        coupon,
        shipping_address: address(),
        payment_method: "pm_card_visa".into(),
        at: at(0),
    }
}

fn create() -> OrderCommand {
    create_with(
        vec![line(TEE, usd(2000), 2), line(MUG, usd(1000), 1)],
        Some(OrderCoupon { code: "save10".into(), discount: TEN_PERCENT }),
    )
}

fn created() -> OrderEvent {
    OrderEvent::OrderCreated(OrderCreated {
        order_id: ORDER,
        customer_id: ANN,
        lines: vec![priced(&line(TEE, usd(2000), 2)), priced(&line(MUG, usd(1000), 1))],
        coupon: Some(OrderCoupon { code: "SAVE10".into(), discount: TEN_PERCENT }),
        subtotal: usd(5000),
        discount: usd(500),
        total: usd(4500),
        shipping_address: address(),
        payment_method: "pm_card_visa".into(),
        at: at(0),
    })
}

fn reserved() -> OrderEvent {
    OrderEvent::ItemsReserved(ItemsReserved { order_id: ORDER, at: at(1) })
}

fn paid() -> OrderEvent {
    OrderEvent::PaymentProcessed(PaymentProcessed {
        order_id: ORDER,
        payment_id: PAYMENT,
        amount: usd(4500),
        at: at(2),
    })
}

fn payment_failed(deadline: i64) -> OrderEvent {
    OrderEvent::OrderPaymentFailed(OrderPaymentFailed {
        order_id: ORDER,
        reason: "card declined".into(),
        deadline: at(deadline),
        at: at(2),
    })
}

fn confirmed() -> OrderEvent {
    OrderEvent::OrderConfirmed(OrderConfirmed { order_id: ORDER, invoice_number: 1001, at: at(3) })
}

fn shipped() -> OrderEvent {
    OrderEvent::OrderShipped(OrderShipped {
        order_id: ORDER,
        carrier: "UPS".into(),
        tracking_number: "1Z999".into(),
        at: at(4),
    })
}

fn delivered() -> OrderEvent {
    OrderEvent::OrderDelivered(OrderDelivered { order_id: ORDER, at: at(5) })
}

fn cancelled(refund_due: bool) -> OrderEvent {
    OrderEvent::OrderCancelled(OrderCancelled { order_id: ORDER, reason: "changed mind".into(), refund_due, at: at(6) })
}

fn pending() -> Vec<OrderEvent> {
    vec![created()]
}

fn paid_and_reserved() -> Vec<OrderEvent> {
    vec![created(), reserved(), paid()]
}

fn confirmed_order() -> Vec<OrderEvent> {
    vec![created(), reserved(), paid(), confirmed()]
}

fn shipped_order() -> Vec<OrderEvent> {
    vec![created(), reserved(), paid(), confirmed(), shipped()]
}

fn delivered_order() -> Vec<OrderEvent> {
    vec![created(), reserved(), paid(), confirmed(), shipped(), delivered()]
}

fn invalid(from: OrderStatus, action: OrderAction) -> OrderError {
    OrderError::InvalidTransition { from, action }
}

// --- Create ---

#[test]
fn creating_an_order_prices_its_lines_and_normalises_the_coupon() {
    let state = given::<Order>(&[]).when(create()).then(&[created()]);
    let order = state.order().unwrap();
    assert_eq!(order.status, OrderStatus::Pending);
    assert_eq!(order.status_history, vec![(OrderStatus::Pending, at(0))]);
    assert_eq!(order.paid, usd(0));
}

#[test]
fn creating_an_order_twice_is_refused() {
    given::<Order>(&pending()).when(create()).then_error(OrderError::AlreadyExists);
}

#[test]
fn an_order_without_lines_is_refused() {
    given::<Order>(&[]).when(create_with(vec![], None)).then_error(OrderError::NoLines);
}

#[test]
fn an_order_with_more_than_a_hundred_lines_is_refused() {
    let lines = vec![line(TEE, usd(1), 1); MAX_ORDER_LINES + 1];
    given::<Order>(&[]).when(create_with(lines, None)).then_error(OrderError::TooManyLines { count: 101, max: 100 });
}

#[test]
fn an_order_in_two_currencies_is_refused() {
    let error = given::<Order>(&[])
        .when(create_with(vec![line(TEE, usd(1), 1), line(MUG, eur(1), 1)], None))
        .result()
        .unwrap_err();
    assert_eq!(error.code(), "order.currency_mismatch");
}

#[test]
fn an_order_line_without_a_name_is_refused() {
    let mut nameless = line(TEE, usd(1), 1);
    nameless.name = " ".into();
    given::<Order>(&[]).when(create_with(vec![nameless], None)).then_error(OrderError::InvalidValue(
        ValueError::InvalidText { field: "lines.name", max: crate::cart::MAX_NAME_LEN },
    ));
}

#[test]
fn an_order_whose_total_overflows_is_refused() {
    let lines = vec![line(TEE, usd(MAX_AMOUNT_MINOR), 1), line(MUG, usd(1), 1)];
    let error = given::<Order>(&[]).when(create_with(lines, None)).result().unwrap_err();
    assert_eq!(error.code(), "order.amount_out_of_range");
}

#[test]
fn an_order_with_a_blank_address_field_is_refused() {
    let mut command = create();
    if let OrderCommand::Create { shipping_address, .. } = &mut command {
        shipping_address.city = "  ".into();
    }
    given::<Order>(&[]).when(command).then_error(OrderError::InvalidValue(ValueError::InvalidText {
        field: "shipping_address.city",
        max: ShippingAddress::MAX_CITY_LEN,
    }));
}

#[test]
fn an_order_with_an_unassigned_country_cannot_even_be_built() {
    let json = r#"{"name":"A","line1":"B","line2":null,"city":"C","postal_code":"1","country":"XX"}"#;
    assert!(serde_json::from_str::<ShippingAddress>(json).is_err());
    let error = OrderError::from(CountryCode::parse("XX").unwrap_err());
    assert_eq!(error.code(), "order.invalid_country");
}

#[test]
fn an_order_paid_with_a_card_number_is_refused() {
    let mut command = create();
    if let OrderCommand::Create { payment_method, .. } = &mut command {
        *payment_method = "4111 1111 1111 1111".into();
    }
    given::<Order>(&[]).when(command).then_error(OrderError::CardNumberRefused);
}

#[test]
fn an_order_without_a_payment_method_is_refused() {
    let mut command = create();
    if let OrderCommand::Create { payment_method, .. } = &mut command {
        *payment_method = String::new();
    }
    let error = given::<Order>(&[]).when(command).result().unwrap_err();
    assert_eq!(error.code(), "order.invalid_value");
}

#[test]
fn an_order_with_a_coupon_that_takes_nothing_off_is_refused() {
    let coupon = OrderCoupon { code: "zero".into(), discount: Discount::Percent { percent: 0 } };
    given::<Order>(&[])
        .when(create_with(vec![line(TEE, usd(100), 1)], Some(coupon)))
        .then_error(OrderError::InvalidDiscount { code: "ZERO".into() });
}

#[test]
fn an_order_with_a_fixed_coupon_in_another_currency_is_refused() {
    let coupon = OrderCoupon { code: "EURO".into(), discount: Discount::Fixed { amount: eur(100) } };
    let error = given::<Order>(&[]).when(create_with(vec![line(TEE, usd(100), 1)], Some(coupon))).result().unwrap_err();
    assert_eq!(error.code(), "order.currency_mismatch");
}

#[test]
fn a_fixed_coupon_larger_than_the_subtotal_makes_the_order_free() {
    let coupon = OrderCoupon { code: "BIG".into(), discount: Discount::Fixed { amount: usd(999_999) } };
    let events = given::<Order>(&[]).when(create_with(vec![line(TEE, usd(100), 1)], Some(coupon))).result().unwrap();
    let OrderEvent::OrderCreated(created) = &events[0] else { panic!("{events:?}") };
    assert_eq!((created.subtotal, created.discount, created.total), (usd(100), usd(100), usd(0)));
}

// --- MarkItemsReserved ---

#[test]
fn reserving_items_of_a_pending_order_is_recorded() {
    let state = given::<Order>(&pending())
        .when(OrderCommand::MarkItemsReserved { order_id: ORDER, at: at(1) })
        .then(&[reserved()]);
    assert!(state.order().unwrap().items_reserved);
}

#[test]
fn reserving_items_after_payment_is_recorded() {
    given::<Order>(&[created(), paid()])
        .when(OrderCommand::MarkItemsReserved { order_id: ORDER, at: at(1) })
        .then(&[reserved()]);
}

#[test]
fn reserving_items_twice_changes_nothing() {
    given::<Order>(&[created(), reserved()])
        .when(OrderCommand::MarkItemsReserved { order_id: ORDER, at: at(1) })
        .then(&[]);
}

#[test]
fn reserving_items_of_a_cancelled_order_is_refused() {
    given::<Order>(&[created(), cancelled(false)])
        .when(OrderCommand::MarkItemsReserved { order_id: ORDER, at: at(1) })
        .then_error(invalid(OrderStatus::Cancelled, OrderAction::ReserveItems));
}

#[test]
fn reserving_items_of_a_missing_order_is_refused() {
    given::<Order>(&[])
        .when(OrderCommand::MarkItemsReserved { order_id: ORDER, at: at(1) })
        .then_error(OrderError::NotFound);
}

// --- RecordPaymentProcessed ---

fn pay(payment_id: PaymentId, amount: Money) -> OrderCommand {
    OrderCommand::RecordPaymentProcessed { order_id: ORDER, payment_id, amount, at: at(2) }
}

#[test]
fn a_payment_of_the_total_marks_the_order_paid() {
    let state = given::<Order>(&[created(), reserved()]).when(pay(PAYMENT, usd(4500))).then(&[paid()]);
    let order = state.order().unwrap();
    assert_eq!(order.status, OrderStatus::Paid);
    assert_eq!(order.paid, usd(4500));
}

#[test]
fn a_payment_after_a_failed_one_marks_the_order_paid() {
    let state = given::<Order>(&[created(), payment_failed(60)]).when(pay(PAYMENT, usd(4500))).then(&[paid()]);
    assert_eq!(state.order().unwrap().payment_deadline, None);
}

#[test]
fn the_same_payment_reported_twice_changes_nothing() {
    given::<Order>(&paid_and_reserved()).when(pay(PAYMENT, usd(4500))).then(&[]);
}

#[test]
fn paying_twice_is_refused() {
    given::<Order>(&paid_and_reserved()).when(pay(OTHER_PAYMENT, usd(4500))).then_error(OrderError::AlreadyPaid);
}

#[test]
fn a_payment_of_another_amount_is_refused() {
    given::<Order>(&pending())
        .when(pay(PAYMENT, usd(4000)))
        .then_error(OrderError::PaymentAmountMismatch { expected: usd(4500), received: usd(4000) });
}

#[test]
fn a_payment_in_another_currency_is_refused() {
    let error = given::<Order>(&pending()).when(pay(PAYMENT, eur(4500))).result().unwrap_err();
    assert_eq!(error.code(), "order.currency_mismatch");
}

#[test]
fn paying_a_cancelled_order_is_refused() {
    given::<Order>(&[created(), cancelled(false)])
        .when(pay(PAYMENT, usd(4500)))
        .then_error(invalid(OrderStatus::Cancelled, OrderAction::RecordPayment));
}

#[test]
fn paying_a_missing_order_is_refused() {
    given::<Order>(&[]).when(pay(PAYMENT, usd(4500))).then_error(OrderError::NotFound);
}

// --- RecordPaymentFailed ---

fn fail(deadline: i64) -> OrderCommand {
    OrderCommand::RecordPaymentFailed {
        order_id: ORDER,
        reason: "card declined".into(),
        deadline: at(deadline),
        at: at(2),
    }
}

#[test]
fn a_failed_payment_makes_the_order_await_payment_until_the_deadline() {
    let state = given::<Order>(&pending()).when(fail(60)).then(&[payment_failed(60)]);
    let order = state.order().unwrap();
    assert_eq!(order.status, OrderStatus::AwaitingPayment);
    assert_eq!(order.payment_deadline, Some(at(60)));
    assert_eq!(order.last_payment_failure.as_deref(), Some("card declined"));
}

#[test]
fn another_failure_while_awaiting_payment_moves_the_deadline() {
    let state = given::<Order>(&[created(), payment_failed(60)]).when(fail(90)).then(&[payment_failed(90)]);
    let order = state.order().unwrap();
    assert_eq!(order.payment_deadline, Some(at(90)));
    assert_eq!(order.status_history.len(), 2);
}

#[test]
fn a_payment_failure_after_payment_is_refused() {
    given::<Order>(&paid_and_reserved())
        .when(fail(60))
        .then_error(invalid(OrderStatus::Paid, OrderAction::RecordPaymentFailure));
}

#[test]
fn a_payment_failure_without_a_reason_is_refused() {
    let command = OrderCommand::RecordPaymentFailed { order_id: ORDER, reason: "".into(), deadline: at(9), at: at(2) };
    given::<Order>(&pending())
        .when(command)
        .then_error(OrderError::InvalidValue(ValueError::InvalidText { field: "reason", max: MAX_REASON_LEN }));
}

#[test]
fn a_payment_failure_of_a_missing_order_is_refused() {
    given::<Order>(&[]).when(fail(60)).then_error(OrderError::NotFound);
}

// --- ChangePaymentMethod ---

fn change_method(method: &str, minute: i64) -> OrderCommand {
    OrderCommand::ChangePaymentMethod { order_id: ORDER, payment_method: method.into(), at: at(minute) }
}

#[test]
fn changing_the_payment_method_while_awaiting_payment_returns_to_pending() {
    let state = given::<Order>(&[created(), payment_failed(60)]).when(change_method("paypal", 10)).then(&[
        OrderEvent::OrderPaymentMethodChanged(OrderPaymentMethodChanged {
            order_id: ORDER,
            payment_method: "paypal".into(),
            at: at(10),
        }),
    ]);
    let order = state.order().unwrap();
    assert_eq!(order.status, OrderStatus::Pending);
    assert_eq!(order.payment_method, "paypal");
    assert_eq!(order.payment_deadline, None);
}

#[test]
fn changing_the_payment_method_of_a_pending_order_is_refused() {
    given::<Order>(&pending())
        .when(change_method("paypal", 10))
        .then_error(invalid(OrderStatus::Pending, OrderAction::ChangePaymentMethod));
}

#[test]
fn changing_the_payment_method_after_the_deadline_is_refused() {
    given::<Order>(&[created(), payment_failed(60)])
        .when(change_method("paypal", 60))
        .then_error(OrderError::PaymentDeadlinePassed { deadline: at(60) });
}

#[test]
fn changing_the_payment_method_to_a_card_number_is_refused() {
    given::<Order>(&[created(), payment_failed(60)])
        .when(change_method("4111-1111-1111-1111", 10))
        .then_error(OrderError::CardNumberRefused);
}

#[test]
fn changing_the_payment_method_of_a_missing_order_is_refused() {
    given::<Order>(&[]).when(change_method("paypal", 10)).then_error(OrderError::NotFound);
}

// --- Confirm ---

fn confirm(invoice_number: u64) -> OrderCommand {
    OrderCommand::Confirm { order_id: ORDER, invoice_number, at: at(3) }
}

#[test]
fn confirming_a_paid_and_reserved_order_stores_its_invoice_number() {
    let state = given::<Order>(&paid_and_reserved()).when(confirm(1001)).then(&[confirmed()]);
    let order = state.order().unwrap();
    assert_eq!(order.status, OrderStatus::Confirmed);
    assert_eq!(order.invoice_number, Some(1001));
}

#[test]
fn confirming_before_items_are_reserved_is_refused() {
    given::<Order>(&[created(), paid()]).when(confirm(1001)).then_error(OrderError::ItemsNotReserved);
}

#[test]
fn confirming_an_unpaid_order_is_refused() {
    given::<Order>(&[created(), reserved()])
        .when(confirm(1001))
        .then_error(invalid(OrderStatus::Pending, OrderAction::Confirm));
}

#[test]
fn confirming_with_invoice_number_zero_is_refused() {
    given::<Order>(&paid_and_reserved()).when(confirm(0)).then_error(OrderError::InvalidInvoiceNumber);
}

#[test]
fn confirming_again_with_the_same_invoice_number_changes_nothing() {
    given::<Order>(&confirmed_order()).when(confirm(1001)).then(&[]);
}

#[test]
fn confirming_again_with_another_invoice_number_is_refused() {
    given::<Order>(&confirmed_order())
        .when(confirm(1002))
        .then_error(invalid(OrderStatus::Confirmed, OrderAction::Confirm));
}

#[test]
fn confirming_a_missing_order_is_refused() {
    given::<Order>(&[]).when(confirm(1)).then_error(OrderError::NotFound);
}

// --- Ship ---

fn ship(carrier: &str) -> OrderCommand {
    OrderCommand::Ship { order_id: ORDER, carrier: carrier.into(), tracking_number: "1Z999".into(), at: at(4) }
}

#[test]
fn shipping_a_confirmed_order_records_the_carrier() {
    let state = given::<Order>(&confirmed_order()).when(ship("UPS")).then(&[shipped()]);
    let order = state.order().unwrap();
    assert_eq!(order.status, OrderStatus::Shipped);
    assert_eq!(order.shipment, Some(Shipment { carrier: "UPS".into(), tracking_number: "1Z999".into() }));
}

#[test]
fn shipping_before_confirmation_is_refused() {
    given::<Order>(&paid_and_reserved()).when(ship("UPS")).then_error(invalid(OrderStatus::Paid, OrderAction::Ship));
}

#[test]
fn shipping_without_a_carrier_is_refused() {
    given::<Order>(&confirmed_order())
        .when(ship(" "))
        .then_error(OrderError::InvalidValue(ValueError::InvalidText { field: "carrier", max: 100 }));
}

#[test]
fn shipping_a_missing_order_is_refused() {
    given::<Order>(&[]).when(ship("UPS")).then_error(OrderError::NotFound);
}

// --- Deliver ---

#[test]
fn delivering_a_shipped_order_completes_it() {
    let state = given::<Order>(&shipped_order())
        .when(OrderCommand::Deliver { order_id: ORDER, at: at(5) })
        .then(&[delivered()]);
    assert_eq!(state.order().unwrap().status, OrderStatus::Delivered);
}

#[test]
fn delivering_before_shipping_is_refused() {
    given::<Order>(&confirmed_order())
        .when(OrderCommand::Deliver { order_id: ORDER, at: at(5) })
        .then_error(invalid(OrderStatus::Confirmed, OrderAction::Deliver));
}

#[test]
fn delivering_a_missing_order_is_refused() {
    given::<Order>(&[]).when(OrderCommand::Deliver { order_id: ORDER, at: at(5) }).then_error(OrderError::NotFound);
}

// --- Cancel ---

fn cancel() -> OrderCommand {
    OrderCommand::Cancel { order_id: ORDER, reason: "changed mind".into(), at: at(6) }
}

#[test]
fn cancelling_an_unpaid_order_owes_no_refund() {
    let state = given::<Order>(&pending()).when(cancel()).then(&[cancelled(false)]);
    let order = state.order().unwrap();
    assert_eq!(order.status, OrderStatus::Cancelled);
    assert_eq!(order.cancellation_reason.as_deref(), Some("changed mind"));
}

#[test]
fn cancelling_a_confirmed_order_owes_a_refund() {
    given::<Order>(&confirmed_order()).when(cancel()).then(&[cancelled(true)]);
}

#[test]
fn cancelling_a_shipped_order_is_refused() {
    given::<Order>(&shipped_order()).when(cancel()).then_error(invalid(OrderStatus::Shipped, OrderAction::Cancel));
}

#[test]
fn cancelling_a_delivered_order_is_refused() {
    given::<Order>(&delivered_order()).when(cancel()).then_error(invalid(OrderStatus::Delivered, OrderAction::Cancel));
}

#[test]
fn cancelling_a_cancelled_order_is_refused() {
    given::<Order>(&[created(), cancelled(false)])
        .when(cancel())
        .then_error(invalid(OrderStatus::Cancelled, OrderAction::Cancel));
}

#[test]
fn cancelling_without_a_reason_is_refused() {
    let error = given::<Order>(&pending())
        .when(OrderCommand::Cancel { order_id: ORDER, reason: "\t".into(), at: at(6) })
        .result()
        .unwrap_err();
    assert_eq!(error.code(), "order.invalid_value");
}

#[test]
fn cancelling_a_missing_order_is_refused() {
    given::<Order>(&[]).when(cancel()).then_error(OrderError::NotFound);
}

// --- RecordRefund ---

fn refund(amount: Money) -> OrderCommand {
    OrderCommand::RecordRefund { order_id: ORDER, amount, at: at(7) }
}

fn refunded(amount: i64, total: i64, fully_refunded: bool) -> OrderEvent {
    OrderEvent::OrderRefunded(OrderRefunded {
        order_id: ORDER,
        amount: usd(amount),
        total_refunded: usd(total),
        fully_refunded,
        at: at(7),
    })
}

#[test]
fn refunding_a_cancelled_paid_order_in_full_marks_it_refunded() {
    let mut history = confirmed_order();
    history.push(cancelled(true));
    let state = given::<Order>(&history).when(refund(usd(4500))).then(&[refunded(4500, 4500, true)]);
    let order = state.order().unwrap();
    assert_eq!(order.status, OrderStatus::Refunded);
    let statuses: Vec<_> = order.status_history.iter().map(|(status, _)| *status).collect();
    assert_eq!(
        statuses,
        [
            OrderStatus::Pending,
            OrderStatus::Paid,
            OrderStatus::Confirmed,
            OrderStatus::Cancelled,
            OrderStatus::Refunded
        ]
    );
}

#[test]
fn a_partial_refund_keeps_the_status() {
    let state = given::<Order>(&delivered_order()).when(refund(usd(1000))).then(&[refunded(1000, 1000, false)]);
    let order = state.order().unwrap();
    assert_eq!(order.status, OrderStatus::Delivered);
    assert_eq!(order.refunded, usd(1000));
}

#[test]
fn refunding_more_than_was_paid_is_refused() {
    let mut history = delivered_order();
    history.push(refunded(1000, 1000, false));
    given::<Order>(&history)
        .when(refund(usd(3501)))
        .then_error(OrderError::RefundExceedsPaid { requested: usd(3501), refundable: usd(3500) });
}

#[test]
fn refunding_a_fully_refunded_order_is_refused() {
    let mut history = delivered_order();
    history.push(refunded(4500, 4500, true));
    given::<Order>(&history)
        .when(refund(usd(1)))
        .then_error(OrderError::RefundExceedsPaid { requested: usd(1), refundable: usd(0) });
}

#[test]
fn refunding_an_unpaid_order_is_refused() {
    given::<Order>(&[created(), cancelled(false)]).when(refund(usd(100))).then_error(OrderError::NotPaid);
}

#[test]
fn refunding_nothing_is_refused() {
    given::<Order>(&paid_and_reserved()).when(refund(usd(0))).then_error(OrderError::ZeroRefund);
}

#[test]
fn refunding_in_another_currency_is_refused() {
    let error = given::<Order>(&paid_and_reserved()).when(refund(eur(100))).result().unwrap_err();
    assert_eq!(error.code(), "order.currency_mismatch");
}

#[test]
fn refunding_a_missing_order_is_refused() {
    given::<Order>(&[]).when(refund(usd(100))).then_error(OrderError::NotFound);
}

// --- Contract ---

#[test]
fn events_serialize_with_their_type_as_tag() {
    let mut events = delivered_order();
    events.extend([payment_failed(60), cancelled(true), refunded(1, 1, false)]);
    for event in events {
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["event_type"], event.event_type());
        assert_eq!(json["data"]["order_id"], ORDER.to_string());
        assert!(json["data"]["at"].is_string());
        assert_eq!(serde_json::from_value::<OrderEvent>(json).unwrap(), event);
    }
}

#[test]
fn error_codes_are_stable() {
    let usd_code = Currency::parse("USD").unwrap();
    let cases = [
        (OrderError::NotFound, "order.not_found"),
        (OrderError::AlreadyExists, "order.already_exists"),
        (OrderError::NoLines, "order.no_lines"),
        (OrderError::TooManyLines { count: 2, max: 1 }, "order.too_many_lines"),
        (OrderError::InvalidDiscount { code: "X".into() }, "order.invalid_discount"),
        (OrderError::InvalidValue(ValueError::InvalidQuantity(0)), "order.invalid_value"),
        (OrderError::InvalidCountry(InvalidCountryCode("XX".into())), "order.invalid_country"),
        (OrderError::CardNumberRefused, "order.card_number_refused"),
        (invalid(OrderStatus::Shipped, OrderAction::Cancel), "order.invalid_transition"),
        (OrderError::AlreadyPaid, "order.already_paid"),
        (OrderError::PaymentAmountMismatch { expected: usd(1), received: usd(2) }, "order.payment_amount_mismatch"),
        (OrderError::ItemsNotReserved, "order.items_not_reserved"),
        (OrderError::InvalidInvoiceNumber, "order.invalid_invoice_number"),
        (OrderError::PaymentDeadlinePassed { deadline: at(0) }, "order.payment_deadline_passed"),
        (OrderError::NotPaid, "order.not_paid"),
        (OrderError::ZeroRefund, "order.zero_refund"),
        (OrderError::RefundExceedsPaid { requested: usd(2), refundable: usd(1) }, "order.refund_exceeds_paid"),
        (OrderError::Money(MoneyError::CurrencyMismatch(usd_code, usd_code)), "order.currency_mismatch"),
        (OrderError::Money(MoneyError::OutOfRange(-1)), "order.amount_out_of_range"),
        (OrderError::Money(MoneyError::InvalidCurrency("X".into())), "order.invalid_currency"),
    ];
    for (error, code) in cases {
        assert_eq!(error.code(), code, "{error}");
    }
    assert_eq!(
        invalid(OrderStatus::Shipped, OrderAction::Cancel).to_string(),
        "cannot cancel an order that is shipped"
    );
}
