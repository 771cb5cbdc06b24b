//! The body of `POST /api/v1/orders` and its checks: the shipping address, the
//! payment method (a saved method's id or a provider token, never a card number)
//! and, optionally, explicit lines. Every bad field is reported at once.

use emporium_api_kit::ErrorCode;
use emporium_api_kit::{ApiError, FieldError};
use emporium_domain::ids::{PaymentMethodId, ProductId};
use emporium_domain::order::{CountryCode, MAX_ORDER_LINES, ShippingAddress};
use emporium_domain::payment::looks_like_card_number;
use serde::Deserialize;
use uuid::Uuid;

use crate::cart::input::{NewItem, line_quantity};

/// Longest payment method reference or provider token.
pub const MAX_PAYMENT_METHOD_CHARS: usize = 200;

/// `POST /api/v1/orders`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaceOrderRequest {
    /// Where to ship.
    pub shipping_address: AddressRequest,
    /// The id of one of your saved payment methods, or a provider token such as `pm_card_visa`.
    #[schema(schema_with = emporium_api_kit::schema_rules::text::<200>)]
    pub payment_method: String,
    /// Order these products instead of the cart's contents (the cart is left alone).
    #[serde(default)]
    #[schema(min_items = 1, max_items = 100)]
    pub lines: Option<Vec<LineRequest>>,
}

/// A shipping address.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressRequest {
    /// The recipient, 1-200 characters.
    #[schema(schema_with = emporium_api_kit::schema_rules::text::<200>)]
    pub name: String,
    /// Street and number, 1-200 characters.
    #[schema(schema_with = emporium_api_kit::schema_rules::text::<200>)]
    pub line1: String,
    /// Flat, floor, etc., up to 200 characters.
    #[serde(default)]
    #[schema(schema_with = emporium_api_kit::schema_rules::optional_text_or_blank::<200>)]
    pub line2: Option<String>,
    /// 1-100 characters.
    #[schema(schema_with = emporium_api_kit::schema_rules::text::<100>)]
    pub city: String,
    /// 1-20 characters.
    #[schema(schema_with = emporium_api_kit::schema_rules::text::<20>)]
    pub postal_code: String,
    /// ISO 3166-1 alpha-2 code, e.g. `DE`.
    #[schema(schema_with = emporium_api_kit::schema_rules::country)]
    pub country: String,
}

/// One explicit order line.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineRequest {
    /// The product's id.
    #[schema(format = Uuid)]
    pub product_id: String,
    /// Units, 1-1000.
    #[schema(minimum = 1, maximum = 1000)]
    pub quantity: i64,
}

/// How the customer means to pay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentChoice {
    /// One of the caller's saved methods.
    Saved(PaymentMethodId),
    /// A provider token, to be kept outside the log under a fresh reference.
    Token(String),
}

/// A checked order request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    /// Where to ship, trimmed and checked.
    pub shipping_address: ShippingAddress,
    /// How to pay.
    pub payment: PaymentChoice,
    /// Explicit lines, or `None` to order the cart.
    pub lines: Option<Vec<NewItem>>,
}

impl TryFrom<PlaceOrderRequest> for NewOrder {
    type Error = ApiError;

    fn try_from(body: PlaceOrderRequest) -> Result<Self, ApiError> {
        let mut errors = Vec::new();
        let shipping_address = address(&body.shipping_address, &mut errors);
        let payment = payment_choice(&body.payment_method, &mut errors);
        let lines = body.lines.as_deref().map(|lines| explicit_lines(lines, &mut errors));
        match (shipping_address, payment, lines) {
            (Some(shipping_address), Some(payment), lines) if errors.is_empty() => {
                Ok(Self { shipping_address, payment, lines: lines.flatten() })
            }
            _ => Err(ApiError::invalid(errors)),
        }
    }
}

fn text(errors: &mut Vec<FieldError>, field: &str, raw: &str, max: usize) -> Option<String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        errors.push(FieldError::new(field, ErrorCode::ValidationRequired, format!("{field} must not be empty")));
        None
    } else if trimmed.chars().count() > max {
        errors.push(FieldError::new(
            field,
            ErrorCode::ValidationTooLong,
            format!("{field} must be at most {max} characters"),
        ));
        None
    } else {
        Some(trimmed.to_owned())
    }
}

fn address(raw: &AddressRequest, errors: &mut Vec<FieldError>) -> Option<ShippingAddress> {
    let name = text(errors, "shipping_address.name", &raw.name, ShippingAddress::MAX_LINE_LEN);
    let line1 = text(errors, "shipping_address.line1", &raw.line1, ShippingAddress::MAX_LINE_LEN);
    let line2 = match raw.line2.as_deref().map(str::trim) {
        None | Some("") => Some(None),
        Some(line2) => text(errors, "shipping_address.line2", line2, ShippingAddress::MAX_LINE_LEN).map(Some),
    };
    let city = text(errors, "shipping_address.city", &raw.city, ShippingAddress::MAX_CITY_LEN);
    let postal_code =
        text(errors, "shipping_address.postal_code", &raw.postal_code, ShippingAddress::MAX_POSTAL_CODE_LEN);
    let country = CountryCode::parse(&raw.country)
        .map_err(|_| {
            errors.push(FieldError::new(
                "shipping_address.country",
                ErrorCode::OrderInvalidCountry,
                "shipping_address.country must be an ISO 3166-1 alpha-2 code such as DE or US",
            ))
        })
        .ok();
    Some(ShippingAddress {
        name: name?,
        line1: line1?,
        line2: line2?,
        city: city?,
        postal_code: postal_code?,
        country: country?,
    })
}

fn payment_choice(raw: &str, errors: &mut Vec<FieldError>) -> Option<PaymentChoice> {
    let method = text(errors, "payment_method", raw, MAX_PAYMENT_METHOD_CHARS)?;
    if let Ok(id) = Uuid::parse_str(&method) {
        return Some(PaymentChoice::Saved(PaymentMethodId::from_uuid(id)));
    }
    if looks_like_card_number(&method) {
        errors.push(FieldError::new(
            "payment_method",
            ErrorCode::OrderCardNumberRefused,
            "never send a card number: use a saved payment method's id or a provider token such as pm_card_visa",
        ));
        return None;
    }
    if !method.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        errors.push(FieldError::new(
            "payment_method",
            ErrorCode::PaymentInvalidMethod,
            "payment_method must be a saved payment method's id or a provider token such as pm_card_visa",
        ));
        return None;
    }
    Some(PaymentChoice::Token(method))
}

fn explicit_lines(raw: &[LineRequest], errors: &mut Vec<FieldError>) -> Option<Vec<NewItem>> {
    if raw.is_empty() {
        errors.push(FieldError::new(
            "lines",
            ErrorCode::OrderNoLines,
            "lines must hold at least one line (or leave it out to order your cart)",
        ));
        return None;
    }
    if raw.len() > MAX_ORDER_LINES {
        errors.push(FieldError::new(
            "lines",
            ErrorCode::OrderTooManyLines,
            format!("an order holds at most {MAX_ORDER_LINES} lines"),
        ));
        return None;
    }
    let before = errors.len();
    let mut lines: Vec<NewItem> = Vec::with_capacity(raw.len());
    for (index, line) in raw.iter().enumerate() {
        let field = format!("lines[{index}].product_id");
        let product_id = match line.product_id.trim().parse::<ProductId>() {
            Ok(id) if lines.iter().any(|l| l.product_id == id) => {
                errors.push(FieldError::new(
                    &field,
                    ErrorCode::OrderDuplicateLine,
                    "each product may appear in one line only",
                ));
                None
            }
            Ok(id) => Some(id),
            Err(_) => {
                errors.push(FieldError::new(
                    &field,
                    ErrorCode::ValidationInvalidId,
                    format!("{field} must be a product id (a UUID)"),
                ));
                None
            }
        };
        let quantity = line_quantity(&format!("lines[{index}].quantity"), line.quantity, errors);
        if let (Some(product_id), Some(quantity)) = (product_id, quantity) {
            lines.push(NewItem { product_id, quantity });
        }
    }
    (errors.len() == before).then_some(lines)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn address_request() -> AddressRequest {
        AddressRequest {
            name: " Ann Lee ".into(),
            line1: "1 Main St".into(),
            line2: Some("  ".into()),
            city: "Berlin".into(),
            postal_code: "10115".into(),
            country: "de".into(),
        }
    }

    fn request(payment_method: &str, lines: Option<Vec<LineRequest>>) -> PlaceOrderRequest {
        PlaceOrderRequest { shipping_address: address_request(), payment_method: payment_method.into(), lines }
    }

    fn fields(error: ApiError) -> Vec<String> {
        error.errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_cart_order_with_a_token_is_accepted_and_normalised() {
        let order = NewOrder::try_from(request("pm_card_visa", None)).unwrap();
        assert_eq!(order.payment, PaymentChoice::Token("pm_card_visa".into()));
        assert_eq!((order.shipping_address.name.as_str(), order.shipping_address.line2.clone()), ("Ann Lee", None));
        assert_eq!(order.shipping_address.country.as_str(), "DE");
        assert!(order.lines.is_none());
    }

    #[test]
    fn a_uuid_names_a_saved_method() {
        let id = Uuid::now_v7();
        let order = NewOrder::try_from(request(&id.to_string(), None)).unwrap();
        assert_eq!(order.payment, PaymentChoice::Saved(PaymentMethodId::from_uuid(id)));
    }

    #[test]
    fn card_numbers_and_odd_tokens_are_refused() {
        for bad in ["4242424242424242", "4242 4242 4242 4242", "pm card", "<script>", ""] {
            assert_eq!(fields(NewOrder::try_from(request(bad, None)).unwrap_err()), ["payment_method"], "{bad:?}");
        }
        assert_eq!(fields(NewOrder::try_from(request(&"p".repeat(201), None)).unwrap_err()), ["payment_method"]);
    }

    #[test]
    fn every_bad_address_field_is_named() {
        let body = PlaceOrderRequest {
            shipping_address: AddressRequest {
                name: "".into(),
                line1: "x".repeat(201),
                line2: None,
                city: " ".into(),
                postal_code: "1".repeat(21),
                country: "XX".into(),
            },
            payment_method: "pm_card_visa".into(),
            lines: None,
        };
        let fields = fields(NewOrder::try_from(body).unwrap_err());
        assert_eq!(
            fields,
            [
                "shipping_address.name",
                "shipping_address.line1",
                "shipping_address.city",
                "shipping_address.postal_code",
                "shipping_address.country"
            ]
        );
    }

    #[test]
    fn explicit_lines_are_checked_one_by_one() {
        let id = Uuid::now_v7().to_string();
        let line = |product_id: &str, quantity| LineRequest { product_id: product_id.into(), quantity };
        let order = NewOrder::try_from(request("pm_card_visa", Some(vec![line(&id, 2)]))).unwrap();
        assert_eq!(order.lines.unwrap()[0].quantity.get(), 2);
        let error = NewOrder::try_from(request("pm_card_visa", Some(vec![line(&id, 1), line(&id, 1), line("x", 0)])))
            .unwrap_err();
        assert_eq!(fields(error), ["lines[1].product_id", "lines[2].product_id", "lines[2].quantity"]);
        assert_eq!(fields(NewOrder::try_from(request("pm_card_visa", Some(vec![]))).unwrap_err()), ["lines"]);
        let many = (0..101).map(|_| line(&Uuid::now_v7().to_string(), 1)).collect();
        assert_eq!(fields(NewOrder::try_from(request("pm_card_visa", Some(many))).unwrap_err()), ["lines"]);
    }
}
