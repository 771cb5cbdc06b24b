//! Every event the domain can emit validates against its schema, inside a valid envelope.

use emporium_schemas::{documents, event_type};
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::strategies::envelope::envelope;
use crate::strategies::{Sample, any_sample};
use crate::validation::{ENVELOPE_VALIDATOR, EVENT_VALIDATORS, assert_valid, validator, violations};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn every_generated_event_validates_against_its_schema_inside_a_valid_envelope(
        envelope in any_sample().prop_flat_map(|sample| (Just(sample.clone()), envelope(sample)))
    ) {
        let (sample, envelope): (Sample, Value) = envelope;
        let registered = event_type(sample.event_type);
        prop_assert!(registered.is_some(), "{} is not registered", sample.event_type);
        let registered = registered.unwrap();
        prop_assert_eq!(registered.category(), sample.category);
        prop_assert_eq!(registered.version(), sample.schema_version, "the domain writes another version than the registry's");

        let payload_violations = violations(&EVENT_VALIDATORS[sample.event_type], &sample.data);
        prop_assert!(payload_violations.is_empty(), "{} payload: {:?}\n{:#}", sample.event_type, payload_violations, sample.data);
        prop_assert!(registered.read_payload(sample.data.clone()).is_ok());

        let envelope_violations = violations(&ENVELOPE_VALIDATOR, &envelope);
        prop_assert!(envelope_violations.is_empty(), "envelope: {:?}\n{:#}", envelope_violations, envelope);
    }
}

#[test]
fn every_schema_is_a_draft_2020_12_schema_with_its_own_id() {
    for document in documents() {
        let schema = &document.schema;
        if let Err(e) = jsonschema::draft202012::meta::validate(schema) {
            panic!("{} is not a valid draft 2020-12 schema: {e}", document.path);
        }
        assert_eq!(schema["$schema"], emporium_schemas::DRAFT_2020_12, "{}", document.path);
        let id = schema["$id"].as_str().unwrap_or_default();
        assert!(id.starts_with(emporium_schemas::SCHEMA_BASE_URL), "{}: $id {id:?}", document.path);
        validator(schema);
    }
    let ids: std::collections::BTreeSet<String> = documents().iter().map(|d| d.schema["$id"].to_string()).collect();
    assert_eq!(ids.len(), documents().len(), "two documents share an $id");
}

#[test]
fn event_schema_ids_name_the_type_and_current_version() {
    let schema = emporium_schemas::event_schema("OrderCreated").unwrap();
    assert_eq!(schema["$id"], "https://emporium.dev/schemas/events/OrderCreated.v2.json");
    assert_eq!(schema["title"], "OrderCreated");
    let schema = emporium_schemas::event_schema("StockReceived").unwrap();
    assert_eq!(schema["$id"], "https://emporium.dev/schemas/events/StockReceived.v1.json");
    assert!(emporium_schemas::event_schema("StockTeleported").is_none());
}

/// A valid `StockReceived` payload to break one field at a time.
fn stock_received() -> Value {
    json!({
        "sku": "TEE-RED-L",
        "quantity": 5,
        "on_hand": 5,
        "available": 5,
        "at": "2024-05-01T12:00:00Z"
    })
}

#[test]
fn payload_schemas_refuse_what_the_domain_never_writes() {
    let stock = &EVENT_VALIDATORS["StockReceived"];
    assert_valid(stock, &stock_received(), "StockReceived");
    let broken = [
        ("quantity", json!(0)),
        ("quantity", json!(1_000_001)),
        ("sku", json!("tee red")),
        ("sku", json!("")),
        ("at", json!("yesterday")),
        ("on_hand", json!(-1)),
    ];
    for (field, value) in broken {
        let mut payload = stock_received();
        payload[field] = value.clone();
        assert!(!violations(stock, &payload).is_empty(), "StockReceived with {field} = {value} should be refused");
    }
    let mut missing = stock_received();
    missing.as_object_mut().unwrap().remove("sku");
    assert!(!violations(stock, &missing).is_empty(), "a missing field should be refused");

    let price_changed = &EVENT_VALIDATORS["ProductPriceChanged"];
    let price = |amount: i64, currency: &str| {
        json!({
            "product_id": "0190f5a4-0000-7000-8000-000000000001",
            "previous_price": { "amount": 100, "currency": "EUR" },
            "price": { "amount": amount, "currency": currency },
            "at": "2024-05-01T12:00:00Z"
        })
    };
    assert_valid(price_changed, &price(0, "EUR"), "a zero price");
    for (amount, currency) in [(-1, "EUR"), (10_000_000_000_001, "EUR"), (100, "eur"), (100, "EURO")] {
        assert!(
            !violations(price_changed, &price(amount, currency)).is_empty(),
            "{amount} {currency} should be refused"
        );
    }
}

/// A valid envelope to break one field at a time.
fn valid_envelope() -> Value {
    json!({
        "event_id": "0190f5a4-0000-7000-8000-000000000001",
        "stream_id": "order-0190f5a4-0000-7000-8000-000000000002",
        "stream_version": 1,
        "global_position": 1,
        "event_type": "OrderShipped",
        "schema_version": 1,
        "data": { "order_id": "0190f5a4-0000-7000-8000-000000000002" },
        "metadata": {},
        "recorded_at": "2024-05-01T12:00:00.123456Z",
        "prev_hash": "0".repeat(64),
        "hash": "ab".repeat(32)
    })
}

#[test]
fn the_envelope_schema_refuses_broken_envelopes() {
    assert_valid(&ENVELOPE_VALIDATOR, &valid_envelope(), "the example envelope");
    let broken = [
        ("event_id", json!("not-a-uuid")),
        ("stream_id", json!("order")),
        ("stream_id", json!("Order-1")),
        ("stream_version", json!(0)),
        ("global_position", json!(0)),
        ("schema_version", json!(0)),
        ("data", json!("text")),
        ("metadata", json!({ "correlation_id": "nope" })),
        ("metadata", json!({ "unknown": 1 })),
        ("recorded_at", json!("2024-05-01")),
        ("prev_hash", json!("ABCD")),
        ("hash", json!("g".repeat(64))),
        ("extra", json!(1)),
    ];
    for (field, value) in broken {
        let mut envelope = valid_envelope();
        envelope[field] = value.clone();
        assert!(
            !violations(&ENVELOPE_VALIDATOR, &envelope).is_empty(),
            "envelope with {field} = {value} should be refused"
        );
    }
    for field in ["event_id", "metadata", "hash"] {
        let mut envelope = valid_envelope();
        envelope.as_object_mut().unwrap().remove(field);
        assert!(!violations(&ENVELOPE_VALIDATOR, &envelope).is_empty(), "envelope without {field} should be refused");
    }
}
