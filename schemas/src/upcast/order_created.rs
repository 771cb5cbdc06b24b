//! `OrderCreated` v1 → v2: structured shipping address, coupon and discount.
//!
//! v1 was written before coupons existed. It recorded the shipping address as one line
//! of text, `"name, line1[, line2], city, postal_code, country"`, and had neither
//! `coupon` nor `discount`. v2 records the address as an object, the coupon (none for
//! a v1 order) and the discount, which for a v1 order is zero in its currency: so
//! `total = subtotal - discount` holds for upcast orders too.

use emporium_domain::money::{Currency, Money};
use emporium_domain::order::{CountryCode, ShippingAddress};
use serde_json::{Map, Value};

/// Lifts a v1 `OrderCreated` payload to v2.
pub(super) fn v1_to_v2(data: Value) -> Result<Value, String> {
    let Value::Object(mut order) = data else {
        return Err("payload is not an object".to_owned());
    };
    for v2_only in ["coupon", "discount"] {
        if order.contains_key(v2_only) {
            return Err(format!("v1 has no `{v2_only}` field; is this payload really v1?"));
        }
    }
    let address = match order.get("shipping_address") {
        Some(Value::String(text)) => parse_address(text)?,
        Some(_) => return Err("shipping_address is not a string".to_owned()),
        None => return Err("shipping_address is missing".to_owned()),
    };
    let discount = Money::zero(order_currency(&order)?);
    order.insert("shipping_address".to_owned(), to_json(&address)?);
    order.insert("coupon".to_owned(), Value::Null);
    order.insert("discount".to_owned(), to_json(&discount)?);
    Ok(Value::Object(order))
}

/// The currency of the order's subtotal.
fn order_currency(order: &Map<String, Value>) -> Result<Currency, String> {
    let code = order
        .get("subtotal")
        .and_then(|subtotal| subtotal.get("currency"))
        .and_then(Value::as_str)
        .ok_or("subtotal.currency is missing")?;
    Currency::parse(code).map_err(|e| format!("subtotal: {e}"))
}

/// Splits `"name, line1[, line2], city, postal_code, country"` into a checked address.
fn parse_address(text: &str) -> Result<ShippingAddress, String> {
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    let (name, line1, line2, city, postal_code, country) = match parts[..] {
        [name, line1, city, postal_code, country] => (name, line1, None, city, postal_code, country),
        [name, line1, line2, city, postal_code, country] => (name, line1, Some(line2), city, postal_code, country),
        _ => return Err(format!("shipping_address has {} comma-separated parts, not 5 or 6", parts.len())),
    };
    let country = CountryCode::parse(country).map_err(|e| format!("shipping_address: {e}"))?;
    let address = ShippingAddress {
        name: name.to_owned(),
        line1: line1.to_owned(),
        line2: line2.map(str::to_owned),
        city: city.to_owned(),
        postal_code: postal_code.to_owned(),
        country,
    };
    address.normalized().map_err(|e| format!("shipping_address: {e}"))
}

/// Serializes a domain value into the payload.
fn to_json<T: serde::Serialize>(value: &T) -> Result<Value, String> {
    serde_json::to_value(value).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn v1(address: &str) -> Value {
        json!({
            "order_id": "0190f5a4-0000-7000-8000-000000000001",
            "customer_id": "0190f5a4-0000-7000-8000-000000000002",
            "lines": [],
            "subtotal": { "amount": 1500, "currency": "EUR" },
            "total": { "amount": 1500, "currency": "EUR" },
            "shipping_address": address,
            "payment_method": "card",
            "at": "2024-05-01T12:00:00Z"
        })
    }

    #[test]
    fn five_parts_make_an_address_without_line2() {
        let v2 = v1_to_v2(v1("Ann Lee, 1 Main St, Berlin, 10115, de")).unwrap();
        assert_eq!(
            v2["shipping_address"],
            json!({ "name": "Ann Lee", "line1": "1 Main St", "line2": null, "city": "Berlin", "postal_code": "10115", "country": "DE" })
        );
        assert_eq!(v2["discount"], json!({ "amount": 0, "currency": "EUR" }));
        assert_eq!(v2["coupon"], Value::Null);
    }

    #[test]
    fn six_parts_carry_line2_and_a_blank_line2_is_none() {
        let v2 = v1_to_v2(v1("Ann Lee, 1 Main St, Flat 4, Berlin, 10115, DE")).unwrap();
        assert_eq!(v2["shipping_address"]["line2"], "Flat 4");
        let v2 = v1_to_v2(v1("Ann Lee, 1 Main St, , Berlin, 10115, DE")).unwrap();
        assert_eq!(v2["shipping_address"]["line2"], Value::Null);
    }

    #[test]
    fn malformed_v1_payloads_say_what_is_wrong() {
        let cases = [
            (v1("Ann Lee, Berlin, DE"), "3 comma-separated parts"),
            (v1("Ann Lee, 1 Main St, Berlin, 10115, XX"), "country code"),
            (v1(", 1 Main St, Berlin, 10115, DE"), "shipping_address.name"),
            (json!({ "shipping_address": 7 }), "not a string"),
            (json!({ "subtotal": { "amount": 1, "currency": "EUR" } }), "missing"),
            (json!([]), "not an object"),
        ];
        for (payload, expected) in cases {
            let reason = v1_to_v2(payload).unwrap_err();
            assert!(reason.contains(expected), "{reason:?} should mention {expected:?}");
        }
        let mut with_discount = v1("Ann Lee, 1 Main St, Berlin, 10115, DE");
        with_discount["discount"] = json!({ "amount": 0, "currency": "EUR" });
        assert!(v1_to_v2(with_discount).unwrap_err().contains("really v1"));
    }
}
