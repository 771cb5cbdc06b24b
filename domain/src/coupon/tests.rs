//! Given / when / then scenarios for every coupon command and refusal, and the applicability query.
#![allow(clippy::unwrap_used, reason = "fixtures fail the test loudly")]

use chrono::{DateTime, Utc};

use super::*;
use crate::discount::Discount;
use crate::event::DomainEvent;
use crate::ids::OrderId;
use crate::money::{Currency, Money};
use crate::testing::given;

pub(super) fn id() -> CouponId {
    CouponId::from_uuid(uuid::Uuid::from_u128(5))
}

pub(super) fn order(n: u128) -> OrderId {
    OrderId::from_uuid(uuid::Uuid::from_u128(n))
}

pub(super) fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_700_000_000 + secs, 0).unwrap()
}

fn usd(amount: i64) -> Money {
    Money::new(amount, Currency::parse("USD").unwrap()).unwrap()
}

fn ten_percent() -> Discount {
    Discount::Percent { percent: 10 }
}

/// A coupon valid on `[at(100), at(200))`.
pub(super) fn create(max_uses: Option<u32>) -> CouponCommand {
    CouponCommand::CreateCoupon {
        coupon_id: id(),
        code: " summer-10 ".into(),
        discount: ten_percent(),
        valid_from: at(100),
        valid_until: at(200),
        max_uses,
        at: at(0),
    }
}

fn create_with(discount: Discount, valid_from: i64, valid_until: i64, max_uses: Option<u32>) -> CouponCommand {
    CouponCommand::CreateCoupon {
        coupon_id: id(),
        code: "SUMMER-10".into(),
        discount,
        valid_from: at(valid_from),
        valid_until: at(valid_until),
        max_uses,
        at: at(0),
    }
}

fn created(max_uses: Option<u32>) -> CouponEvent {
    CouponEvent::CouponCreated(CouponCreated {
        coupon_id: id(),
        code: CouponCode::parse("SUMMER-10").unwrap(),
        discount: ten_percent(),
        valid_from: at(100),
        valid_until: at(200),
        max_uses,
        at: at(0),
    })
}

pub(super) fn redeem(order_id: u128, secs: i64) -> CouponCommand {
    CouponCommand::Redeem { coupon_id: id(), order_id: order(order_id), at: at(secs) }
}

fn redeemed(order_id: u128, uses: u32) -> CouponEvent {
    CouponEvent::CouponRedeemed(CouponRedeemed { coupon_id: id(), order_id: order(order_id), uses, at: at(150) })
}

pub(super) fn release(order_id: u128) -> CouponCommand {
    CouponCommand::ReleaseRedemption { coupon_id: id(), order_id: order(order_id), at: at(160) }
}

pub(super) fn disable() -> CouponCommand {
    CouponCommand::Disable { coupon_id: id(), at: at(170) }
}

fn disabled() -> CouponEvent {
    CouponEvent::CouponDisabled(CouponDisabled { coupon_id: id(), at: at(170) })
}

#[test]
fn creating_a_coupon_records_its_upper_cased_code_and_terms() {
    let state = given::<Coupon>(&[]).when(create(Some(2))).then(&[created(Some(2))]);
    let coupon = state.coupon().unwrap();
    assert_eq!(coupon.code().as_str(), "SUMMER-10");
    assert_eq!((coupon.discount(), coupon.max_uses(), coupon.uses()), (ten_percent(), Some(2), 0));
    assert_eq!((coupon.valid_from(), coupon.valid_until(), coupon.created_at()), (at(100), at(200), at(0)));
}

#[test]
fn a_fixed_amount_coupon_without_a_limit_is_accepted() {
    let command = create_with(Discount::Fixed { amount: usd(500) }, 100, 200, None);
    let events = Coupon::decide(&CouponState::default(), &command).unwrap();
    assert!(matches!(&events[..], [CouponEvent::CouponCreated(e)] if e.max_uses.is_none()));
}

#[test]
fn creating_a_coupon_twice_is_refused() {
    given::<Coupon>(&[created(None)]).when(create(None)).then_error(CouponError::AlreadyExists);
}

#[test]
fn creating_with_invalid_terms_is_refused() {
    let cases = [
        (
            CouponCommand::CreateCoupon {
                coupon_id: id(),
                code: "no".into(),
                discount: ten_percent(),
                valid_from: at(100),
                valid_until: at(200),
                max_uses: None,
                at: at(0),
            },
            CouponError::InvalidCode,
        ),
        (create_with(Discount::Percent { percent: 0 }, 100, 200, None), CouponError::InvalidPercent(0)),
        (create_with(Discount::Percent { percent: 101 }, 100, 200, None), CouponError::InvalidPercent(101)),
        (create_with(Discount::Fixed { amount: usd(0) }, 100, 200, None), CouponError::InvalidAmount),
        (create_with(ten_percent(), 200, 200, None), CouponError::InvalidValidity),
        (create_with(ten_percent(), 300, 200, None), CouponError::InvalidValidity),
        (create_with(ten_percent(), 100, 200, Some(0)), CouponError::InvalidMaxUses),
    ];
    for (command, error) in cases {
        given::<Coupon>(&[]).when(command).then_error(error);
    }
}

#[test]
fn redeeming_uses_the_coupon_for_an_order() {
    let state = given::<Coupon>(&[created(Some(2))]).when(redeem(1, 150)).then(&[redeemed(1, 1)]);
    let coupon = state.coupon().unwrap();
    assert!(coupon.is_redeemed_by(&order(1)));
    assert_eq!(coupon.uses(), 1);
}

#[test]
fn redeeming_again_for_the_same_order_is_a_no_op_even_when_full_or_expired() {
    given::<Coupon>(&[created(Some(1)), redeemed(1, 1)]).when(redeem(1, 150)).then(&[]);
    given::<Coupon>(&[created(Some(1)), redeemed(1, 1)]).when(redeem(1, 500)).then(&[]);
}

#[test]
fn redeeming_a_missing_coupon_is_refused() {
    given::<Coupon>(&[]).when(redeem(1, 150)).then_error(CouponError::NotFound);
}

#[test]
fn redeeming_a_disabled_coupon_is_refused() {
    given::<Coupon>(&[created(None), disabled()]).when(redeem(1, 150)).then_error(CouponError::Disabled);
}

#[test]
fn redeeming_before_the_window_opens_is_refused() {
    given::<Coupon>(&[created(None)]).when(redeem(1, 99)).then_error(CouponError::NotYetValid { valid_from: at(100) });
}

#[test]
fn redeeming_at_or_after_the_window_closes_is_refused() {
    let expired = CouponError::Expired { valid_until: at(200) };
    given::<Coupon>(&[created(None)]).when(redeem(1, 200)).then_error(expired.clone());
    given::<Coupon>(&[created(None)]).when(redeem(1, 10_000)).then_error(expired);
}

#[test]
fn redeeming_beyond_the_usage_limit_is_refused() {
    given::<Coupon>(&[created(Some(2)), redeemed(1, 1), redeemed(2, 2)])
        .when(redeem(3, 150))
        .then_error(CouponError::UsageLimitReached { max_uses: 2 });
}

#[test]
fn releasing_a_redemption_gives_the_use_back() {
    let expected = CouponEvent::CouponRedemptionReleased(CouponRedemptionReleased {
        coupon_id: id(),
        order_id: order(1),
        uses: 0,
        at: at(160),
    });
    let state = given::<Coupon>(&[created(Some(1)), redeemed(1, 1)]).when(release(1)).then(&[expected]);
    assert_eq!(state.coupon().unwrap().uses(), 0);
    assert_eq!(check_applicable(&state, at(150)), Ok(ten_percent()));
}

#[test]
fn releasing_an_order_that_holds_no_redemption_is_a_no_op() {
    given::<Coupon>(&[created(None)]).when(release(9)).then(&[]);
}

#[test]
fn releasing_on_a_missing_coupon_is_refused() {
    given::<Coupon>(&[]).when(release(1)).then_error(CouponError::NotFound);
}

#[test]
fn disabling_stops_the_coupon_from_applying() {
    let state = given::<Coupon>(&[created(None)]).when(disable()).then(&[disabled()]);
    assert_eq!(state.coupon().unwrap().disabled_at(), Some(at(170)));
    assert_eq!(check_applicable(&state, at(150)), Err(CouponError::Disabled));
}

#[test]
fn disabling_again_is_a_no_op() {
    given::<Coupon>(&[created(None), disabled()]).when(disable()).then(&[]);
}

#[test]
fn disabling_a_missing_coupon_is_refused() {
    given::<Coupon>(&[]).when(disable()).then_error(CouponError::NotFound);
}

#[test]
fn check_applicable_returns_the_discount_inside_the_window() {
    let state = Coupon::replay(&[created(Some(1))]);
    assert_eq!(check_applicable(&state, at(100)), Ok(ten_percent()));
    assert_eq!(check_applicable(&state, at(199)), Ok(ten_percent()));
    assert_eq!(check_applicable(&CouponState::default(), at(150)), Err(CouponError::NotFound));
    assert_eq!(check_applicable(&state, at(99)), Err(CouponError::NotYetValid { valid_from: at(100) }));
    assert_eq!(check_applicable(&state, at(200)), Err(CouponError::Expired { valid_until: at(200) }));
    let full = Coupon::replay(&[created(Some(1)), redeemed(1, 1)]);
    assert_eq!(check_applicable(&full, at(150)), Err(CouponError::UsageLimitReached { max_uses: 1 }));
}

#[test]
fn the_stream_id_is_the_category_and_the_id() {
    assert_eq!(Coupon::stream_id(&id()), format!("coupon-{}", id()));
    assert_eq!(disable().coupon_id(), id());
}

#[test]
fn events_serialize_with_their_type_as_tag_and_round_trip() {
    let released = CouponEvent::CouponRedemptionReleased(CouponRedemptionReleased {
        coupon_id: id(),
        order_id: order(1),
        uses: 0,
        at: at(160),
    });
    for event in [created(Some(3)), redeemed(1, 1), released, disabled()] {
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["event_type"], event.event_type());
        assert_eq!(json["data"]["coupon_id"], id().to_string());
        assert_eq!(event.coupon_id(), id());
        assert_eq!(serde_json::from_value::<CouponEvent>(json).unwrap(), event);
    }
    let json = serde_json::to_value(created(None)).unwrap();
    assert_eq!(json["data"]["code"], "SUMMER-10");
    assert_eq!(json["data"]["discount"], serde_json::json!({"kind": "percent", "percent": 10}));
}

#[test]
fn error_codes_are_stable_and_namespaced() {
    let errors = [
        (CouponError::AlreadyExists, "coupon.already_exists"),
        (CouponError::NotFound, "coupon.not_found"),
        (CouponError::InvalidCode, "coupon.invalid_code"),
        (CouponError::InvalidPercent(0), "coupon.invalid_percent"),
        (CouponError::InvalidAmount, "coupon.invalid_amount"),
        (CouponError::InvalidValidity, "coupon.invalid_validity"),
        (CouponError::InvalidMaxUses, "coupon.invalid_max_uses"),
        (CouponError::Disabled, "coupon.disabled"),
        (CouponError::NotYetValid { valid_from: at(0) }, "coupon.not_yet_valid"),
        (CouponError::Expired { valid_until: at(0) }, "coupon.expired"),
        (CouponError::UsageLimitReached { max_uses: 1 }, "coupon.usage_limit_reached"),
    ];
    for (error, code) in errors {
        assert_eq!(error.code(), code);
    }
}

#[cfg(feature = "schema")]
#[test]
fn every_event_type_has_a_json_schema() {
    let schema = serde_json::to_string(&schemars::schema_for!(CouponEvent)).unwrap();
    for event_type in ["CouponCreated", "CouponRedeemed", "CouponRedemptionReleased", "CouponDisabled"] {
        assert!(schema.contains(event_type), "{event_type} missing from the schema");
    }
}
