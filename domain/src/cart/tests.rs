//! Given / when / then scenarios for every cart command and refusal.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::*;
use crate::discount::Discount;
use crate::event::DomainEvent;
use crate::ids::{CartId, CartLineId, CustomerId, OrderId, ProductId};
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

fn qty(n: i64) -> Quantity {
    Quantity::new(n).unwrap()
}

const CART: CartId = CartId::from_uuid(Uuid::from_u128(0xCA));
const ANN: CustomerId = CustomerId::from_uuid(Uuid::from_u128(0xA1));
const BOB: CustomerId = CustomerId::from_uuid(Uuid::from_u128(0xB0));
const TEE: ProductId = ProductId::from_uuid(Uuid::from_u128(0x7EE));
const MUG: ProductId = ProductId::from_uuid(Uuid::from_u128(0x3A6));
const LINE_1: CartLineId = CartLineId::from_uuid(Uuid::from_u128(1));
const LINE_2: CartLineId = CartLineId::from_uuid(Uuid::from_u128(2));
const LINE_3: CartLineId = CartLineId::from_uuid(Uuid::from_u128(3));
const ORDER: OrderId = OrderId::from_uuid(Uuid::from_u128(0x0D));

fn add(line_id: CartLineId, product_id: ProductId, unit_price: Money, quantity: i64, minute: i64) -> CartCommand {
    CartCommand::AddItem {
        cart_id: CART,
        customer_id: ANN,
        line_id,
        product_id,
        sku: Sku::parse(if product_id == TEE { "TEE-1" } else { "MUG-1" }).unwrap(),
        name: if product_id == TEE { "Tee".into() } else { "Mug".into() },
        unit_price,
        quantity: qty(quantity),
        at: at(minute),
    }
}

fn added(
    line_id: CartLineId,
    product_id: ProductId,
    unit_price: Money,
    quantity: i64,
    line_quantity: i64,
) -> CartEvent {
    CartEvent::CartItemAdded(CartItemAdded {
        cart_id: CART,
        customer_id: ANN,
        line_id,
        product_id,
        sku: Sku::parse(if product_id == TEE { "TEE-1" } else { "MUG-1" }).unwrap(),
        name: if product_id == TEE { "Tee".into() } else { "Mug".into() },
        unit_price,
        quantity: qty(quantity),
        line_quantity: qty(line_quantity),
        at: at(0),
    })
}

fn tee_added() -> CartEvent {
    added(LINE_1, TEE, usd(2000), 2, 2)
}

fn mug_added() -> CartEvent {
    added(LINE_2, MUG, usd(1000), 1, 1)
}

fn apply(code: &str, discount: Discount, minute: i64) -> CartCommand {
    CartCommand::ApplyCoupon {
        cart_id: CART,
        code: code.into(),
        discount,
        valid_from: at(-60),
        valid_until: at(60),
        uses_left: Some(5),
        at: at(minute),
    }
}

fn coupon_applied(code: &str, discount: Discount, minute: i64) -> CartEvent {
    CartEvent::CartCouponApplied(CartCouponApplied {
        cart_id: CART,
        code: code.into(),
        discount,
        valid_from: at(-60),
        valid_until: at(60),
        at: at(minute),
    })
}

const TEN_PERCENT: Discount = Discount::Percent { percent: 10 };

#[test]
fn adding_the_first_item_creates_the_cart() {
    let state = given::<Cart>(&[]).when(add(LINE_1, TEE, usd(2000), 2, 0)).then(&[tee_added()]);
    let cart = state.cart().unwrap();
    assert_eq!(cart.customer_id, ANN);
    assert_eq!(cart.lines.len(), 1);
    assert_eq!(cart.currency(), Currency::parse("USD").ok());
}

#[test]
fn adding_another_product_adds_a_line() {
    let state = given::<Cart>(&[tee_added()]).when(add(LINE_2, MUG, usd(1000), 1, 0)).then(&[mug_added()]);
    assert_eq!(state.cart().unwrap().lines.len(), 2);
}

#[test]
fn adding_the_same_product_merges_into_its_line_and_takes_the_new_price() {
    let state = given::<Cart>(&[tee_added()]).when(add(LINE_3, TEE, usd(1800), 3, 0)).then(&[added(
        LINE_1,
        TEE,
        usd(1800),
        3,
        5,
    )]);
    let cart = state.cart().unwrap();
    assert_eq!(cart.lines.len(), 1);
    assert_eq!(cart.lines[0].line_id, LINE_1);
    assert_eq!(cart.lines[0].quantity, qty(5));
    assert_eq!(cart.lines[0].unit_price, usd(1800));
}

#[test]
fn adding_to_another_customers_cart_is_refused() {
    let mut command = add(LINE_2, MUG, usd(1000), 1, 0);
    if let CartCommand::AddItem { customer_id, .. } = &mut command {
        *customer_id = BOB;
    }
    given::<Cart>(&[tee_added()]).when(command).then_error(CartError::CustomerMismatch { owner: ANN, requested: BOB });
}

#[test]
fn adding_an_item_in_another_currency_is_refused() {
    let error = given::<Cart>(&[tee_added()]).when(add(LINE_2, MUG, eur(1000), 1, 0)).result().unwrap_err();
    assert_eq!(
        error,
        CartError::Money(MoneyError::CurrencyMismatch(
            Currency::parse("USD").unwrap(),
            Currency::parse("EUR").unwrap()
        ))
    );
    assert_eq!(error.code(), "cart.currency_mismatch");
}

#[test]
fn adding_a_new_product_under_a_used_line_id_is_refused() {
    given::<Cart>(&[tee_added()]).when(add(LINE_1, MUG, usd(1000), 1, 0)).then_error(CartError::LineIdTaken(LINE_1));
}

#[test]
fn adding_past_the_line_limit_is_refused() {
    let history: Vec<CartEvent> = (0..MAX_CART_LINES as u128)
        .map(|n| {
            let product = ProductId::from_uuid(Uuid::from_u128(1_000 + n));
            added(CartLineId::from_uuid(Uuid::from_u128(1_000 + n)), product, usd(100), 1, 1)
        })
        .collect();
    given::<Cart>(&history)
        .when(add(LINE_1, TEE, usd(100), 1, 0))
        .then_error(CartError::TooManyLines { max: MAX_CART_LINES });
}

#[test]
fn merging_past_the_largest_quantity_is_refused() {
    let max = i64::from(Quantity::MAX);
    given::<Cart>(&[added(LINE_1, TEE, usd(1), max, max)])
        .when(add(LINE_3, TEE, usd(1), 1, 0))
        .then_error(CartError::QuantityTooLarge { requested: u64::from(Quantity::MAX) + 1, max: Quantity::MAX });
}

#[test]
fn adding_an_item_with_a_blank_name_is_refused() {
    let mut command = add(LINE_1, TEE, usd(100), 1, 0);
    if let CartCommand::AddItem { name, .. } = &mut command {
        *name = "   ".into();
    }
    given::<Cart>(&[])
        .when(command)
        .then_error(CartError::InvalidValue(ValueError::InvalidText { field: "name", max: MAX_NAME_LEN }));
}

#[test]
fn adding_items_whose_total_overflows_is_refused() {
    let error = given::<Cart>(&[]).when(add(LINE_1, TEE, usd(MAX_AMOUNT_MINOR), 2, 0)).result().unwrap_err();
    assert_eq!(error.code(), "cart.amount_out_of_range");
}

#[test]
fn changing_a_quantity_sets_it() {
    let state = given::<Cart>(&[tee_added()])
        .when(CartCommand::ChangeQuantity { cart_id: CART, line_id: LINE_1, quantity: qty(7), at: at(1) })
        .then(&[CartEvent::CartItemQuantityChanged(CartItemQuantityChanged {
            cart_id: CART,
            line_id: LINE_1,
            product_id: TEE,
            quantity: qty(7),
            at: at(1),
        })]);
    assert_eq!(state.cart().unwrap().lines[0].quantity, qty(7));
}

#[test]
fn changing_to_the_same_quantity_changes_nothing() {
    given::<Cart>(&[tee_added()])
        .when(CartCommand::ChangeQuantity { cart_id: CART, line_id: LINE_1, quantity: qty(2), at: at(1) })
        .then(&[]);
}

#[test]
fn changing_the_quantity_of_an_unknown_line_is_refused() {
    given::<Cart>(&[tee_added()])
        .when(CartCommand::ChangeQuantity { cart_id: CART, line_id: LINE_2, quantity: qty(2), at: at(1) })
        .then_error(CartError::LineNotFound(LINE_2));
}

#[test]
fn changing_a_quantity_in_a_missing_cart_is_refused() {
    given::<Cart>(&[])
        .when(CartCommand::ChangeQuantity { cart_id: CART, line_id: LINE_1, quantity: qty(2), at: at(1) })
        .then_error(CartError::NotFound);
}

#[test]
fn changing_a_quantity_so_the_total_overflows_is_refused() {
    let error = given::<Cart>(&[added(LINE_1, TEE, usd(MAX_AMOUNT_MINOR), 1, 1)])
        .when(CartCommand::ChangeQuantity { cart_id: CART, line_id: LINE_1, quantity: qty(2), at: at(1) })
        .result()
        .unwrap_err();
    assert_eq!(error, CartError::Money(MoneyError::OutOfRange(2 * i128::from(MAX_AMOUNT_MINOR))));
}

#[test]
fn removing_an_item_removes_its_line() {
    let state = given::<Cart>(&[tee_added(), mug_added()])
        .when(CartCommand::RemoveItem { cart_id: CART, line_id: LINE_1, at: at(1) })
        .then(&[CartEvent::CartItemRemoved(CartItemRemoved {
            cart_id: CART,
            line_id: LINE_1,
            product_id: TEE,
            at: at(1),
        })]);
    assert_eq!(state.cart().unwrap().lines.len(), 1);
}

#[test]
fn removing_the_last_item_also_removes_the_coupon() {
    let state = given::<Cart>(&[tee_added(), coupon_applied("SAVE10", TEN_PERCENT, 0)])
        .when(CartCommand::RemoveItem { cart_id: CART, line_id: LINE_1, at: at(1) })
        .then(&[
            CartEvent::CartItemRemoved(CartItemRemoved { cart_id: CART, line_id: LINE_1, product_id: TEE, at: at(1) }),
            CartEvent::CartCouponRemoved(CartCouponRemoved { cart_id: CART, code: "SAVE10".into(), at: at(1) }),
        ]);
    let cart = state.cart().unwrap();
    assert!(cart.is_empty() && cart.coupon.is_none());
}

#[test]
fn removing_an_unknown_line_is_refused() {
    given::<Cart>(&[tee_added()])
        .when(CartCommand::RemoveItem { cart_id: CART, line_id: LINE_2, at: at(1) })
        .then_error(CartError::LineNotFound(LINE_2));
}

#[test]
fn removing_from_a_missing_cart_is_refused() {
    given::<Cart>(&[])
        .when(CartCommand::RemoveItem { cart_id: CART, line_id: LINE_1, at: at(1) })
        .then_error(CartError::NotFound);
}

#[test]
fn applying_a_valid_coupon_normalises_its_code() {
    let state = given::<Cart>(&[tee_added()]).when(apply(" save10 ", TEN_PERCENT, 0)).then(&[coupon_applied(
        "SAVE10",
        TEN_PERCENT,
        0,
    )]);
    let totals = cart_totals(state.cart().unwrap()).unwrap().unwrap();
    assert_eq!((totals.subtotal, totals.discount, totals.total), (usd(4000), usd(400), usd(3600)));
}

#[test]
fn applying_another_coupon_replaces_the_first() {
    let fixed = Discount::Fixed { amount: usd(500) };
    let state = given::<Cart>(&[tee_added(), coupon_applied("SAVE10", TEN_PERCENT, 0)])
        .when(apply("FIVE", fixed, 1))
        .then(&[coupon_applied("FIVE", fixed, 1)]);
    assert_eq!(state.cart().unwrap().coupon.as_ref().unwrap().code, "FIVE");
}

#[test]
fn applying_the_same_coupon_again_changes_nothing() {
    given::<Cart>(&[tee_added(), coupon_applied("SAVE10", TEN_PERCENT, 0)])
        .when(apply("save10", TEN_PERCENT, 1))
        .then(&[]);
}

#[test]
fn applying_a_coupon_to_an_empty_cart_is_refused() {
    let removed =
        CartEvent::CartItemRemoved(CartItemRemoved { cart_id: CART, line_id: LINE_1, product_id: TEE, at: at(0) });
    given::<Cart>(&[tee_added(), removed]).when(apply("SAVE10", TEN_PERCENT, 0)).then_error(CartError::Empty);
}

#[test]
fn applying_a_coupon_to_a_missing_cart_is_refused() {
    given::<Cart>(&[]).when(apply("SAVE10", TEN_PERCENT, 0)).then_error(CartError::NotFound);
}

#[test]
fn applying_a_coupon_before_it_is_valid_is_refused() {
    given::<Cart>(&[tee_added()])
        .when(apply("SAVE10", TEN_PERCENT, -61))
        .then_error(CartError::CouponNotYetValid { code: "SAVE10".into(), valid_from: at(-60) });
}

#[test]
fn applying_a_coupon_at_or_after_its_end_is_refused() {
    let error = given::<Cart>(&[tee_added()]).when(apply("SAVE10", TEN_PERCENT, 60)).result().unwrap_err();
    assert_eq!(error, CartError::CouponExpired { code: "SAVE10".into(), valid_until: at(60) });
    assert_eq!(error.code(), "cart.coupon_expired");
}

#[test]
fn applying_a_coupon_without_uses_left_is_refused() {
    let mut command = apply("SAVE10", TEN_PERCENT, 0);
    if let CartCommand::ApplyCoupon { uses_left, .. } = &mut command {
        *uses_left = Some(0);
    }
    given::<Cart>(&[tee_added()]).when(command).then_error(CartError::CouponExhausted { code: "SAVE10".into() });
}

#[test]
fn applying_a_coupon_with_unlimited_uses_is_accepted() {
    let mut command = apply("SAVE10", TEN_PERCENT, 0);
    if let CartCommand::ApplyCoupon { uses_left, .. } = &mut command {
        *uses_left = None;
    }
    given::<Cart>(&[tee_added()]).when(command).then(&[coupon_applied("SAVE10", TEN_PERCENT, 0)]);
}

#[test]
fn applying_a_coupon_that_takes_nothing_off_is_refused() {
    given::<Cart>(&[tee_added()])
        .when(apply("ZERO", Discount::Percent { percent: 0 }, 0))
        .then_error(CartError::InvalidDiscount { code: "ZERO".into() });
}

#[test]
fn applying_a_fixed_coupon_in_another_currency_is_refused() {
    let error =
        given::<Cart>(&[tee_added()]).when(apply("EURO", Discount::Fixed { amount: eur(5) }, 0)).result().unwrap_err();
    assert_eq!(error.code(), "cart.currency_mismatch");
}

#[test]
fn applying_a_coupon_with_a_blank_code_is_refused() {
    let error = given::<Cart>(&[tee_added()]).when(apply("  ", TEN_PERCENT, 0)).result().unwrap_err();
    assert_eq!(error.code(), "cart.invalid_value");
}

#[test]
fn removing_the_coupon_forgets_it() {
    let state = given::<Cart>(&[tee_added(), coupon_applied("SAVE10", TEN_PERCENT, 0)])
        .when(CartCommand::RemoveCoupon { cart_id: CART, at: at(2) })
        .then(&[CartEvent::CartCouponRemoved(CartCouponRemoved { cart_id: CART, code: "SAVE10".into(), at: at(2) })]);
    assert!(state.cart().unwrap().coupon.is_none());
}

#[test]
fn removing_a_coupon_that_is_not_there_changes_nothing() {
    given::<Cart>(&[tee_added()]).when(CartCommand::RemoveCoupon { cart_id: CART, at: at(2) }).then(&[]);
}

#[test]
fn removing_a_coupon_from_a_missing_cart_is_refused() {
    given::<Cart>(&[]).when(CartCommand::RemoveCoupon { cart_id: CART, at: at(2) }).then_error(CartError::NotFound);
}

#[test]
fn clearing_empties_lines_and_coupon() {
    let state = given::<Cart>(&[tee_added(), mug_added(), coupon_applied("SAVE10", TEN_PERCENT, 0)])
        .when(CartCommand::Clear { cart_id: CART, at: at(3) })
        .then(&[CartEvent::CartCleared(CartCleared { cart_id: CART, at: at(3) })]);
    let cart = state.cart().unwrap();
    assert!(cart.is_empty() && cart.coupon.is_none());
}

#[test]
fn clearing_an_empty_cart_changes_nothing() {
    let cleared = CartEvent::CartCleared(CartCleared { cart_id: CART, at: at(0) });
    given::<Cart>(&[tee_added(), cleared]).when(CartCommand::Clear { cart_id: CART, at: at(3) }).then(&[]);
}

#[test]
fn clearing_a_missing_cart_is_refused() {
    given::<Cart>(&[]).when(CartCommand::Clear { cart_id: CART, at: at(3) }).then_error(CartError::NotFound);
}

#[test]
fn checking_out_hands_lines_and_totals_to_the_order_and_empties_the_cart() {
    let state = given::<Cart>(&[tee_added(), mug_added(), coupon_applied("SAVE10", TEN_PERCENT, 0)])
        .when(CartCommand::CheckOut { cart_id: CART, order_id: ORDER, at: at(5) })
        .then(&[CartEvent::CartCheckedOut(CartCheckedOut {
            cart_id: CART,
            customer_id: ANN,
            order_id: ORDER,
            lines: vec![
                CartCheckedOutLine {
                    line_id: LINE_1,
                    product_id: TEE,
                    sku: Sku::parse("TEE-1").unwrap(),
                    name: "Tee".into(),
                    unit_price: usd(2000),
                    quantity: qty(2),
                    line_total: usd(4000),
                },
                CartCheckedOutLine {
                    line_id: LINE_2,
                    product_id: MUG,
                    sku: Sku::parse("MUG-1").unwrap(),
                    name: "Mug".into(),
                    unit_price: usd(1000),
                    quantity: qty(1),
                    line_total: usd(1000),
                },
            ],
            coupon: Some(CartCheckedOutCoupon { code: "SAVE10".into(), discount: TEN_PERCENT }),
            subtotal: usd(5000),
            discount: usd(500),
            total: usd(4500),
            at: at(5),
        })]);
    let cart = state.cart().unwrap();
    assert!(cart.is_empty() && cart.coupon.is_none());
    assert_eq!(cart.last_order_id, Some(ORDER));
}

#[test]
fn a_checked_out_cart_can_be_filled_again_even_in_another_currency() {
    let checked_out = given::<Cart>(&[tee_added()])
        .when(CartCommand::CheckOut { cart_id: CART, order_id: ORDER, at: at(5) })
        .result()
        .unwrap();
    let mut history = vec![tee_added()];
    history.extend(checked_out);
    let state =
        given::<Cart>(&history).when(add(LINE_2, MUG, eur(900), 1, 0)).then(&[added(LINE_2, MUG, eur(900), 1, 1)]);
    assert_eq!(state.cart().unwrap().currency(), Currency::parse("EUR").ok());
}

#[test]
fn checking_out_an_empty_cart_is_refused() {
    let cleared = CartEvent::CartCleared(CartCleared { cart_id: CART, at: at(0) });
    given::<Cart>(&[tee_added(), cleared])
        .when(CartCommand::CheckOut { cart_id: CART, order_id: ORDER, at: at(5) })
        .then_error(CartError::Empty);
}

#[test]
fn checking_out_a_missing_cart_is_refused() {
    given::<Cart>(&[])
        .when(CartCommand::CheckOut { cart_id: CART, order_id: ORDER, at: at(5) })
        .then_error(CartError::NotFound);
}

#[test]
fn checking_out_with_a_coupon_that_expired_meanwhile_is_refused() {
    given::<Cart>(&[tee_added(), coupon_applied("SAVE10", TEN_PERCENT, 0)])
        .when(CartCommand::CheckOut { cart_id: CART, order_id: ORDER, at: at(61) })
        .then_error(CartError::CouponExpired { code: "SAVE10".into(), valid_until: at(60) });
}

#[test]
fn a_fixed_discount_never_makes_the_total_negative() {
    let fixed = Discount::Fixed { amount: usd(1_000_000) };
    let cart = Cart::replay(&[tee_added(), coupon_applied("BIG", fixed, 0)]);
    let totals = cart_totals(cart.cart().unwrap()).unwrap().unwrap();
    assert_eq!((totals.subtotal, totals.discount, totals.total), (usd(4000), usd(4000), usd(0)));
    assert_eq!(totals.lines, vec![CartLineTotal { line_id: LINE_1, total: usd(4000) }]);
}

#[test]
fn an_empty_cart_has_no_totals() {
    let cleared = CartEvent::CartCleared(CartCleared { cart_id: CART, at: at(0) });
    let state = Cart::replay(&[tee_added(), cleared]);
    assert_eq!(cart_totals(state.cart().unwrap()), Ok(None));
}

#[test]
fn events_serialize_with_their_type_as_tag() {
    let events = [
        tee_added(),
        coupon_applied("SAVE10", TEN_PERCENT, 0),
        CartEvent::CartCleared(CartCleared { cart_id: CART, at: at(0) }),
    ];
    for event in events {
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["event_type"], event.event_type());
        assert_eq!(json["data"]["cart_id"], CART.to_string());
        let back: CartEvent = serde_json::from_value(json).unwrap();
        assert_eq!(back, event);
    }
}

#[test]
fn error_codes_are_stable() {
    let usd = Currency::parse("USD").unwrap();
    let cases = [
        (CartError::NotFound, "cart.not_found"),
        (CartError::CustomerMismatch { owner: ANN, requested: BOB }, "cart.customer_mismatch"),
        (CartError::LineNotFound(LINE_1), "cart.line_not_found"),
        (CartError::LineIdTaken(LINE_1), "cart.line_id_taken"),
        (CartError::TooManyLines { max: 1 }, "cart.too_many_lines"),
        (CartError::QuantityTooLarge { requested: 2, max: 1 }, "cart.quantity_too_large"),
        (CartError::Empty, "cart.empty"),
        (CartError::InvalidDiscount { code: "X".into() }, "cart.invalid_discount"),
        (CartError::CouponNotYetValid { code: "X".into(), valid_from: at(0) }, "cart.coupon_not_yet_valid"),
        (CartError::CouponExpired { code: "X".into(), valid_until: at(0) }, "cart.coupon_expired"),
        (CartError::CouponExhausted { code: "X".into() }, "cart.coupon_exhausted"),
        (CartError::InvalidValue(ValueError::InvalidQuantity(0)), "cart.invalid_value"),
        (CartError::Money(MoneyError::CurrencyMismatch(usd, usd)), "cart.currency_mismatch"),
        (CartError::Money(MoneyError::OutOfRange(-1)), "cart.amount_out_of_range"),
        (CartError::Money(MoneyError::InvalidCurrency("X".into())), "cart.invalid_currency"),
    ];
    for (error, code) in cases {
        assert_eq!(error.code(), code, "{error}");
    }
}
