//! Compiled validators for every published schema, and readable failures.

use std::collections::HashMap;
use std::sync::LazyLock;

use jsonschema::Validator;
use serde_json::Value;

/// A draft 2020-12 validator that also checks formats (`uuid`, `date-time`).
pub fn validator(schema: &Value) -> Validator {
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(schema)
        .unwrap_or_else(|e| panic!("schema {} does not compile: {e}", schema["$id"]))
}

/// The current schema of every registered event type, compiled once.
pub static EVENT_VALIDATORS: LazyLock<HashMap<&'static str, Validator>> =
    LazyLock::new(|| emporium_schemas::event_types().iter().map(|t| (t.name(), validator(&t.schema()))).collect());

/// The envelope schema, compiled once.
pub static ENVELOPE_VALIDATOR: LazyLock<Validator> = LazyLock::new(|| validator(&emporium_schemas::envelope_schema()));

/// Every violation of `instance`, one line each (empty when valid).
pub fn violations(validator: &Validator, instance: &Value) -> Vec<String> {
    validator.iter_errors(instance).map(|e| format!("at `{}`: {e}", e.instance_path)).collect()
}

/// Panics with every violation when `instance` does not validate.
pub fn assert_valid(validator: &Validator, instance: &Value, what: &str) {
    let violations = violations(validator, instance);
    assert!(violations.is_empty(), "{what} is invalid:\n  {}\ninstance: {instance:#}", violations.join("\n  "));
}
