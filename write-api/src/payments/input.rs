//! The payment endpoints' request bodies and the checked values they become; every
//! bad field is reported at once.

use emporium_api_kit::ApiError;
use emporium_api_kit::ErrorCode;
use emporium_commands::wallet::MethodChoice;
use emporium_domain::ids::{OrderId, PaymentId};
use emporium_domain::money::{Currency, MAX_AMOUNT_MINOR, Money};
use emporium_domain::payment::{MethodToken, looks_like_card_number};
use serde::Deserialize;

use crate::input::{MoneyInput, Problems, id, text};

/// Longest provider token accepted (the wallet's own limit).
pub const MAX_TOKEN_CHARS: usize = 500;
/// Longest `payment_method` accepted (the order's own limit).
pub const MAX_PAYMENT_METHOD_CHARS: usize = 200;

/// `POST /api/v1/payments/methods`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveMethodRequest {
    /// The provider's payment-method token, e.g. `pm_card_visa`; never a card number.
    #[schema(schema_with = emporium_api_kit::schema_rules::text::<200>)]
    pub token: String,
}

/// `POST /api/v1/payments/process`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcessPaymentRequest {
    /// The order to pay; it must be awaiting payment.
    #[schema(format = Uuid)]
    pub order_id: String,
    /// The id of one of the caller's saved methods, or a provider token (`pm_card_visa`).
    #[schema(schema_with = emporium_api_kit::schema_rules::text::<200>)]
    pub payment_method: String,
}

/// `POST /api/v1/payments/refund`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundRequest {
    /// The payment to refund.
    #[schema(format = Uuid)]
    pub payment_id: String,
    /// How much, in minor units of the payment's currency (or `{amount, currency}`);
    /// absent or null refunds everything still refundable.
    #[serde(default)]
    pub amount: Option<RefundAmount>,
}

/// A refund amount: minor units, or money with its currency.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum RefundAmount {
    /// Minor units of the payment's currency, e.g. `1250` for 12.50.
    Minor(i64),
    /// Minor units and an ISO 4217 code, which must be the payment's.
    Money(MoneyInput),
}

/// A checked token to save.
#[derive(Debug, Clone)]
pub struct NewMethod {
    /// The token, trimmed.
    pub token: MethodToken,
}

impl TryFrom<SaveMethodRequest> for NewMethod {
    type Error = ApiError;

    fn try_from(body: SaveMethodRequest) -> Result<Self, ApiError> {
        let mut problems = Problems::default();
        let token = token(&mut problems, "token", &body.token, MAX_TOKEN_CHARS);
        problems.finish(|| Some(NewMethod { token: token? }))
    }
}

/// A checked request to pay an order.
#[derive(Debug, Clone)]
pub struct PayOrder {
    /// The order.
    pub order_id: OrderId,
    /// How to pay it.
    pub method: MethodChoice,
}

impl TryFrom<ProcessPaymentRequest> for PayOrder {
    type Error = ApiError;

    fn try_from(body: ProcessPaymentRequest) -> Result<Self, ApiError> {
        let mut problems = Problems::default();
        let order_id = id(&mut problems, "order_id", &body.order_id);
        let method = match body.payment_method.trim().parse() {
            Ok(saved) => Some(MethodChoice::Saved(saved)),
            Err(_) => token(&mut problems, "payment_method", &body.payment_method, MAX_PAYMENT_METHOD_CHARS)
                .map(MethodChoice::Token),
        };
        problems.finish(|| Some(PayOrder { order_id: order_id?, method: method? }))
    }
}

/// A refund amount before the payment's currency is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestedAmount {
    /// Minor units, 1 to 10^13.
    pub minor: i64,
    /// The currency, when the request named one.
    pub currency: Option<Currency>,
}

impl RequestedAmount {
    /// The amount in the payment's currency; 400 naming `amount.currency` if the
    /// request named another.
    pub fn in_currency(&self, currency: Currency) -> Result<Money, ApiError> {
        if let Some(named) = self.currency.filter(|named| *named != currency) {
            return Err(ApiError::field(
                "amount.currency",
                ErrorCode::PaymentCurrencyMismatch,
                format!("the payment is in {currency}, not {named}"),
            ));
        }
        Money::new(self.minor, currency)
            .map_err(|e| ApiError::field("amount", ErrorCode::MoneyOutOfRange, e.to_string()))
    }
}

/// A checked refund request.
#[derive(Debug, Clone)]
pub struct NewRefund {
    /// The payment.
    pub payment_id: PaymentId,
    /// How much; `None` = everything still refundable.
    pub amount: Option<RequestedAmount>,
}

impl TryFrom<RefundRequest> for NewRefund {
    type Error = ApiError;

    fn try_from(body: RefundRequest) -> Result<Self, ApiError> {
        let mut problems = Problems::default();
        let payment_id = id(&mut problems, "payment_id", &body.payment_id);
        let amount = match &body.amount {
            None => Some(None),
            Some(RefundAmount::Minor(minor)) => {
                positive(&mut problems, "amount", *minor).map(|minor| Some(RequestedAmount { minor, currency: None }))
            }
            Some(RefundAmount::Money(money)) => {
                let currency = problems.check(
                    "amount.currency",
                    ErrorCode::MoneyInvalidCurrency,
                    Currency::parse(&money.currency),
                );
                let minor = positive(&mut problems, "amount.amount", money.amount);
                minor.zip(currency).map(|(minor, currency)| Some(RequestedAmount { minor, currency: Some(currency) }))
            }
        };
        problems.finish(|| Some(NewRefund { payment_id: payment_id?, amount: amount? }))
    }
}

/// A positive amount of minor units, at most 10^13.
fn positive(problems: &mut Problems, field: &str, minor: i64) -> Option<i64> {
    if (1..=MAX_AMOUNT_MINOR).contains(&minor) {
        Some(minor)
    } else {
        problems.add(
            field,
            ErrorCode::MoneyOutOfRange,
            format!("{field} must be minor units between 1 and {MAX_AMOUNT_MINOR}"),
        );
        None
    }
}

/// A provider token: trimmed, bounded, and never a card number.
fn token(problems: &mut Problems, field: &str, raw: &str, max: usize) -> Option<MethodToken> {
    if looks_like_card_number(raw) {
        problems.add(
            field,
            ErrorCode::PaymentCardNumberRefused,
            "card numbers are never accepted: send the provider's token (e.g. pm_card_visa)",
        );
        return None;
    }
    text(problems, field, ErrorCode::PaymentInvalidMethod, raw, max).map(MethodToken::new)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn fields(error: &ApiError) -> Vec<&str> {
        error.errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn a_token_is_trimmed_and_a_card_number_refused() {
        let saved = NewMethod::try_from(SaveMethodRequest { token: " pm_card_visa ".into() }).unwrap();
        assert_eq!(saved.token.expose(), "pm_card_visa");
        let error = NewMethod::try_from(SaveMethodRequest { token: "4242 4242 4242 4242".into() }).unwrap_err();
        assert_eq!((fields(&error), error.errors[0].code.as_str()), (vec!["token"], "payment.card_number_refused"));
        assert_eq!(fields(&NewMethod::try_from(SaveMethodRequest { token: "  ".into() }).unwrap_err()), ["token"]);
        let long = SaveMethodRequest { token: "x".repeat(MAX_TOKEN_CHARS + 1) };
        assert_eq!(fields(&NewMethod::try_from(long).unwrap_err()), ["token"]);
    }

    #[test]
    fn a_payment_method_is_a_saved_id_or_a_token() {
        let order = "0197a5c0-0000-7000-8000-000000000001".to_owned();
        let by_id = ProcessPaymentRequest { order_id: order.clone(), payment_method: order.clone() };
        assert!(matches!(PayOrder::try_from(by_id).unwrap().method, MethodChoice::Saved(_)));
        let by_token = ProcessPaymentRequest { order_id: order, payment_method: "pm_card_visa".into() };
        assert!(matches!(PayOrder::try_from(by_token).unwrap().method, MethodChoice::Token(_)));
        let bad = ProcessPaymentRequest { order_id: "42".into(), payment_method: String::new() };
        assert_eq!(fields(&PayOrder::try_from(bad).unwrap_err()), ["order_id", "payment_method"]);
    }

    #[test]
    fn a_refund_amount_is_positive_minor_units() {
        let payment_id = "0197a5c0-0000-7000-8000-000000000001".to_owned();
        let rest = NewRefund::try_from(RefundRequest { payment_id: payment_id.clone(), amount: None }).unwrap();
        assert_eq!(rest.amount, None);
        let part = RefundRequest { payment_id: payment_id.clone(), amount: Some(RefundAmount::Minor(250)) };
        assert_eq!(NewRefund::try_from(part).unwrap().amount, Some(RequestedAmount { minor: 250, currency: None }));
        for minor in [0, -1, MAX_AMOUNT_MINOR + 1] {
            let bad = RefundRequest { payment_id: payment_id.clone(), amount: Some(RefundAmount::Minor(minor)) };
            assert_eq!(fields(&NewRefund::try_from(bad).unwrap_err()), ["amount"]);
        }
        let money = RefundAmount::Money(MoneyInput { amount: 5, currency: "eur".into() });
        let named = NewRefund::try_from(RefundRequest { payment_id, amount: Some(money) }).unwrap().amount.unwrap();
        assert!(named.in_currency(Currency::parse("USD").unwrap()).is_err());
        assert_eq!(named.in_currency(Currency::parse("EUR").unwrap()).unwrap().amount(), 5);
    }
}
