//! Upcasters: old payloads become schema-valid current payloads the domain can read.

use emporium_domain::order::{OrderCreated, OrderEvent};
use emporium_schemas::{UpcastError, event_schema, event_schema_at, event_types, upcast};
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::strategies::order::order_created_without_coupon;
use crate::validation::{EVENT_VALIDATORS, assert_valid, validator, violations};

/// The `examples` of a frozen schema: the old payloads every upcaster chain is tested with.
fn examples(schema: &Value) -> Vec<Value> {
    schema.get("examples").and_then(Value::as_array).cloned().unwrap_or_default()
}

#[test]
fn every_upcaster_chain_ends_in_a_schema_valid_current_version() {
    let mut chains = 0;
    for event_type in event_types() {
        let name = event_type.name();
        for version in 1..event_type.version() {
            let old_schema =
                event_schema_at(name, version).unwrap_or_else(|| panic!("{name} v{version} has no schema"));
            let old_examples = examples(&old_schema);
            assert!(
                !old_examples.is_empty(),
                "{name} v{version}: its frozen schema needs `examples` to test the upcasters"
            );
            let old = validator(&old_schema);
            for example in old_examples {
                assert_valid(&old, &example, &format!("{name} v{version} example"));
                let current = upcast(name, version, example).unwrap_or_else(|e| panic!("{e}"));
                assert_valid(
                    &EVENT_VALIDATORS[name],
                    &current,
                    &format!("{name} v{version} upcast to v{}", event_type.version()),
                );
                if let Err(e) = event_type.read_payload(current) {
                    panic!("{name} v{version} upcast does not deserialize: {e}");
                }
                chains += 1;
            }
        }
    }
    assert!(chains > 0, "no upcaster chain was exercised");
}

#[test]
fn an_order_created_v1_payload_upcasts_to_a_v2_order_with_a_structured_address_and_no_discount() {
    let v1_schema = event_schema_at("OrderCreated", 1).unwrap();
    let v1 = json!({
        "order_id": "0190f5a4-0000-7000-8000-000000000001",
        "customer_id": "0190f5a4-0000-7000-8000-000000000002",
        "lines": [{
            "product_id": "0190f5a4-0000-7000-8000-00000000000a",
            "sku": "MUG-01",
            "name": "Mug",
            "unit_price": { "amount": 900, "currency": "GBP" },
            "quantity": 2,
            "line_total": { "amount": 1800, "currency": "GBP" }
        }],
        "subtotal": { "amount": 1800, "currency": "GBP" },
        "total": { "amount": 1800, "currency": "GBP" },
        "shipping_address": "Ann Lee, 1 Main St, Flat 2, London, SW1A 1AA, gb",
        "payment_method": "card",
        "at": "2023-11-05T09:30:00Z"
    });
    assert_valid(&validator(&v1_schema), &v1, "the v1 payload");
    assert!(!violations(&EVENT_VALIDATORS["OrderCreated"], &v1).is_empty(), "a v1 payload is not a valid v2 payload");

    let v2 = upcast("OrderCreated", 1, v1).unwrap();
    assert_valid(&validator(&event_schema("OrderCreated").unwrap()), &v2, "the upcast payload");
    let order: OrderCreated = serde_json::from_value(v2.clone()).unwrap();
    assert_eq!(order.shipping_address.name, "Ann Lee");
    assert_eq!(order.shipping_address.line2.as_deref(), Some("Flat 2"));
    assert_eq!(order.shipping_address.postal_code, "SW1A 1AA");
    assert_eq!(order.shipping_address.country.as_str(), "GB");
    assert!(order.discount.is_zero());
    assert_eq!(order.discount.currency(), order.subtotal.currency());
    assert_eq!(order.coupon, None);
    assert_eq!(order.total, order.subtotal.checked_sub(&order.discount).unwrap());

    let tagged: OrderEvent = serde_json::from_value(json!({ "event_type": "OrderCreated", "data": v2 })).unwrap();
    assert!(matches!(tagged, OrderEvent::OrderCreated(_)));
}

#[test]
fn a_malformed_v1_payload_is_reported_as_malformed() {
    let mut v1 = examples(&event_schema_at("OrderCreated", 1).unwrap()).remove(0);
    v1["shipping_address"] = json!("Ann Lee, Berlin");
    let v1_schema = validator(&event_schema_at("OrderCreated", 1).unwrap());
    assert!(!violations(&v1_schema, &v1).is_empty(), "the v1 schema should refuse it too");
    let err = upcast("OrderCreated", 1, v1).unwrap_err();
    assert!(
        matches!(&err, UpcastError::Malformed { event_type, from: 1, .. } if event_type == "OrderCreated"),
        "{err}"
    );
}

#[test]
fn an_unknown_old_version_is_reported_as_missing() {
    let err = upcast("OrderCreated", 0, json!({})).unwrap_err();
    assert!(matches!(&err, UpcastError::Missing { event_type, from: 0 } if event_type == "OrderCreated"), "{err}");
}

/// Writes a coupon-less v2 order the way v1 recorded it.
fn as_v1(order: &OrderCreated) -> Value {
    let mut data = serde_json::to_value(order).unwrap();
    let object = data.as_object_mut().unwrap();
    object.remove("coupon");
    object.remove("discount");
    let a = &order.shipping_address;
    let line2 = a.line2.as_deref().map(|l| format!(", {l}")).unwrap_or_default();
    object.insert(
        "shipping_address".to_owned(),
        json!(format!("{}, {}{line2}, {}, {}, {}", a.name, a.line1, a.city, a.postal_code, a.country)),
    );
    data
}

proptest! {
    #[test]
    fn a_coupon_less_order_survives_the_trip_through_v1(order in order_created_without_coupon()) {
        let v1 = as_v1(&order);
        let v1_violations = violations(&validator(&event_schema_at("OrderCreated", 1).unwrap()), &v1);
        prop_assert!(v1_violations.is_empty(), "v1 rendering is invalid: {:?}\n{:#}", v1_violations, v1);
        let v2 = upcast("OrderCreated", 1, v1).unwrap();
        prop_assert!(violations(&EVENT_VALIDATORS["OrderCreated"], &v2).is_empty());
        let back: OrderCreated = serde_json::from_value(v2).unwrap();
        prop_assert_eq!(back, order);
    }
}
