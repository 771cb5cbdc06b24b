//! The rules of the domain's value types that schemars cannot see, stated as schema keywords.
//!
//! A value type checks itself in its constructor (`Quantity::new`, `Sku::parse`), so
//! its derived schema only knows the wire type: a quantity is "an unsigned integer".
//! Readers of the log deserve the real contract, so each rule is restated here, next to
//! the constant it comes from. The contract tests generate events through those
//! constructors and validate them, so a rule stated stricter than the domain fails there.

use emporium_domain::coupon::CouponCode;
use emporium_domain::customer::Phone;
use emporium_domain::money::MAX_AMOUNT_MINOR;
use emporium_domain::notification::RetryPolicy;
use emporium_domain::values::{Email, Quantity};
use serde_json::{Map, Value, json};

/// Extra keywords for one place in the shared definitions.
pub(crate) struct Refinement {
    /// The name under `$defs`.
    pub(crate) def: &'static str,
    /// A JSON pointer inside that definition ("" for the definition itself).
    pub(crate) at: &'static str,
    /// The keywords to set there (replacing schemars' own, e.g. `minimum: 0`).
    pub(crate) keywords: fn() -> Value,
}

/// Every refinement, by definition name.
pub(crate) const REFINEMENTS: &[Refinement] = &[
    Refinement { def: "Quantity", at: "", keywords: || json!({ "minimum": 1, "maximum": Quantity::MAX }) },
    Refinement {
        def: "Money",
        at: "/properties/amount",
        keywords: || json!({ "minimum": 0, "maximum": MAX_AMOUNT_MINOR }),
    },
    Refinement { def: "Currency", at: "", keywords: || json!({ "pattern": "^[A-Z]{3}$" }) },
    Refinement { def: "Sku", at: "", keywords: || json!({ "pattern": "^[A-Z0-9_-]{1,64}$" }) },
    Refinement { def: "CountryCode", at: "", keywords: || json!({ "pattern": "^[A-Z]{2}$" }) },
    Refinement {
        def: "CouponCode",
        at: "",
        keywords: || json!({ "pattern": format!("^[A-Z0-9_-]{{{},{}}}$", CouponCode::MIN_LEN, CouponCode::MAX_LEN) }),
    },
    Refinement {
        def: "Email",
        at: "",
        keywords: || json!({ "maxLength": Email::MAX_LEN, "pattern": r"^[^@\s]{1,64}@[^@\s.][^@\s]*\.[^@\s]*[^@\s.]$" }),
    },
    Refinement {
        def: "Phone",
        at: "",
        keywords: || json!({ "minLength": Phone::MIN_LEN, "maxLength": Phone::MAX_LEN, "pattern": "^[0-9 +-]*[0-9][0-9 +-]*$" }),
    },
    // Deciders refuse other percentages before any discount is recorded.
    Refinement {
        def: "Discount",
        at: "/oneOf/0/properties/percent",
        keywords: || json!({ "minimum": 1, "maximum": 100 }),
    },
    // `RetryPolicy::validate` runs before a notification is queued.
    Refinement {
        def: "RetryPolicy",
        at: "/properties/max_attempts",
        keywords: || json!({ "minimum": 1, "maximum": RetryPolicy::MAX_ATTEMPTS }),
    },
    Refinement {
        def: "RetryPolicy",
        at: "/properties/first_delay_ms",
        keywords: || json!({ "maximum": RetryPolicy::MAX_DELAY_MS }),
    },
    Refinement {
        def: "RetryPolicy",
        at: "/properties/max_delay_ms",
        keywords: || json!({ "maximum": RetryPolicy::MAX_DELAY_MS }),
    },
];

/// The object a refinement writes into, when `schema` defines it.
pub(crate) fn target<'a>(schema: &'a mut Value, refinement: &Refinement) -> Option<&'a mut Map<String, Value>> {
    schema.get_mut("$defs")?.get_mut(refinement.def)?.pointer_mut(refinement.at)?.as_object_mut()
}

/// Applies every refinement whose definition `schema` uses.
pub(crate) fn tighten(schema: &mut Value) {
    for refinement in REFINEMENTS {
        if let (Some(target), Value::Object(keywords)) = (target(schema, refinement), (refinement.keywords)()) {
            target.extend(keywords);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::generate::payload_schema;
    use crate::registry::event_types;

    #[test]
    fn every_refinement_lands_in_some_event_schema() {
        for refinement in REFINEMENTS {
            let used = event_types().iter().any(|t| target(&mut t.schema(), refinement).is_some());
            assert!(
                used,
                "refinement of $defs/{}{} matches no event schema: renamed or moved?",
                refinement.def, refinement.at
            );
        }
    }

    #[test]
    fn the_percent_refinement_targets_the_percent_variant() {
        let mut schema = payload_schema::<emporium_domain::coupon::CouponCreated>().to_value();
        let discount = REFINEMENTS.iter().find(|r| r.def == "Discount").unwrap();
        let variant = schema.pointer("/$defs/Discount/oneOf/0/properties/kind/const").cloned();
        assert_eq!(variant, Some(json!("percent")));
        assert!(target(&mut schema, discount).is_some());
    }
}
