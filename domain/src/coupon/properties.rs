//! Invariants of a coupon under any sequence of commands.

use proptest::prelude::*;

use super::tests::{create, disable, redeem, release};
use super::*;

fn command() -> impl Strategy<Value = CouponCommand> {
    prop_oneof![
        proptest::option::of(1u32..=3).prop_map(create),
        (1u128..=6, 50i64..250).prop_map(|(order, secs)| redeem(order, secs)),
        (1u128..=6).prop_map(release),
        Just(disable()),
    ]
}

proptest! {
    #[test]
    fn redemptions_never_exceed_max_uses_and_replay_rebuilds_the_same_state(
        commands in prop::collection::vec(command(), 0..60),
    ) {
        let mut state = CouponState::default();
        let mut history = Vec::new();
        for command in &commands {
            let Ok(events) = Coupon::decide(&state, command) else { continue };
            for event in events {
                state = Coupon::evolve(state, &event);
                if let (CouponEvent::CouponRedeemed(CouponRedeemed { uses, .. })
                | CouponEvent::CouponRedemptionReleased(CouponRedemptionReleased { uses, .. }), Some(coupon)) =
                    (&event, state.coupon())
                {
                    prop_assert_eq!(*uses, coupon.uses());
                }
                history.push(event);
            }
            if let Some(coupon) = state.coupon() {
                prop_assert!(coupon.max_uses().is_none_or(|max| coupon.uses() <= max), "{} uses of {:?}", coupon.uses(), coupon.max_uses());
            }
        }
        prop_assert_eq!(Coupon::replay(&history), state);
    }

    #[test]
    fn redeem_is_accepted_exactly_when_the_coupon_applies(
        setup in prop::collection::vec(command(), 0..20), order in 7u128..9, secs in 50i64..250,
    ) {
        let state = setup.iter().fold(CouponState::default(), |state, command| match Coupon::decide(&state, command) {
            Ok(events) => events.iter().fold(state, Coupon::evolve),
            Err(_) => state,
        });
        let applicable = check_applicable(&state, super::tests::at(secs));
        let redeemed = Coupon::decide(&state, &redeem(order, secs));
        prop_assert_eq!(applicable.map(|_| ()), redeemed.map(|_| ()));
    }
}
