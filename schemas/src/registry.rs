//! The one list of event types: every payload the domain records, grouped by aggregate.
//!
//! The list is written once, below; everything else (schemas, committed files,
//! the coverage tests) is derived from it. A unit test compares it with the
//! variants of each aggregate's event enum, so a new variant cannot go unlisted.

use emporium_domain::Decider;

use crate::event_type::EventType;

/// Declares [`EVENT_TYPES`] (and, for tests, each aggregate's event enum) from
/// `mod <path> => <Decider> { <Payload>, … }` groups. Each payload struct is named
/// like its enum variant, so the name doubles as the `event_type`.
macro_rules! registry {
    ($(mod $($module:ident)::+ => $decider:ident { $($event:ident),+ $(,)? })+) => {
        // One alias module per aggregate, named after its decider, so the list
        // below can name `Order::OrderCreated` without repeating module paths.
        $(
            #[allow(non_snake_case)]
            mod $decider {
                pub(super) use emporium_domain::$($module)::+::*;
            }
        )+

        /// Every event type, in the order the aggregates are listed.
        static EVENT_TYPES: &[EventType] = &[$($(
            EventType::of::<$decider::$event>(stringify!($event), <$decider::$decider as Decider>::CATEGORY),
        )+)+];

        /// Each aggregate's stream category and the schema of its whole event enum.
        #[cfg(test)]
        static EVENT_ENUMS: &[(&str, fn() -> schemars::Schema)] = &[$(
            (
                <$decider::$decider as Decider>::CATEGORY,
                crate::generate::payload_schema::<<$decider::$decider as Decider>::Event>,
            ),
        )+];
    };
}

registry! {
    mod customer => Customer {
        CustomerRegistered, CustomerEmailVerified, CustomerProfileChanged,
        CustomerPasswordChanged, CustomerRoleGranted, CustomerRoleRevoked,
    }
    mod category => Category { CategoryCreated, CategoryRenamed }
    mod product => Product {
        ProductCreated, ProductDetailsChanged, ProductPriceChanged,
        ProductCategoryAssigned, ProductDiscontinued,
    }
    mod inventory => Inventory { StockReceived, StockAdjusted, StockReserved, StockReleased, StockCommitted }
    mod coupon => Coupon { CouponCreated, CouponRedeemed, CouponRedemptionReleased, CouponDisabled }
    mod cart => Cart {
        CartItemAdded, CartItemQuantityChanged, CartItemRemoved, CartCouponApplied,
        CartCouponRemoved, CartCleared, CartCheckedOut,
    }
    mod order => Order {
        OrderCreated, ItemsReserved, PaymentProcessed, OrderPaymentFailed, OrderPaymentMethodChanged,
        OrderConfirmed, OrderShipped, OrderDelivered, OrderCancelled, OrderRefunded,
    }
    mod payment => Payment { PaymentRequested, PaymentAuthorized, PaymentCaptured, PaymentFailed, PaymentRefunded }
    mod payment::wallet => Wallet { PaymentMethodSaved, PaymentMethodRemoved }
    mod invoice => Invoice { InvoiceNumberAssigned }
    mod notification => Notification {
        NotificationQueued, NotificationSent, NotificationFailed, NotificationRetryScheduled, NotificationGaveUp,
    }
    mod notification::campaign => Campaign { CampaignRequested, CampaignDispatched }
}

/// Every event type the domain records, grouped by aggregate.
pub fn event_types() -> &'static [EventType] {
    EVENT_TYPES
}

/// The event type called `name`, if the domain has one.
pub fn event_type(name: &str) -> Option<&'static EventType> {
    EVENT_TYPES.iter().find(|t| t.name() == name)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;

    use super::*;

    /// The `event_type` constants of an adjacently tagged enum's schema, one per variant.
    fn variant_names(enum_schema: &Value) -> BTreeSet<String> {
        let variants = enum_schema.get("oneOf").and_then(Value::as_array).cloned().unwrap_or_default();
        variants
            .iter()
            .map(|v| v.pointer("/properties/event_type/const").and_then(Value::as_str).unwrap().to_owned())
            .collect()
    }

    #[test]
    fn every_variant_of_every_event_enum_is_registered_and_nothing_else() {
        for (category, enum_schema) in EVENT_ENUMS {
            let variants = variant_names(enum_schema().as_value());
            assert!(!variants.is_empty(), "{category}: no variants found in the enum's schema");
            let registered: BTreeSet<String> =
                EVENT_TYPES.iter().filter(|t| t.category() == *category).map(|t| t.name().to_owned()).collect();
            assert_eq!(registered, variants, "registry vs. event enum of `{category}`");
        }
        let categories: BTreeSet<&str> = EVENT_ENUMS.iter().map(|(c, _)| *c).collect();
        assert_eq!(categories.len(), EVENT_ENUMS.len(), "two aggregates share a stream category");
    }

    #[test]
    fn event_type_names_are_unique() {
        let names: BTreeSet<&str> = EVENT_TYPES.iter().map(EventType::name).collect();
        assert_eq!(names.len(), EVENT_TYPES.len());
    }

    #[test]
    fn lookup_finds_registered_names_only() {
        assert_eq!(event_type("OrderCreated").map(EventType::category), Some("order"));
        assert_eq!(event_type("PaymentMethodSaved").map(EventType::category), Some("wallet"));
        assert!(event_type("OrderTeleported").is_none());
    }
}
