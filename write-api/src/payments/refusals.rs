//! How the payment and wallet aggregates' refusals, the payment provider's answers
//! and (for the payment endpoints) the order's refusals map to HTTP. Codes stay the
//! domain's own.

use emporium_api_kit::ApiError;
use emporium_api_kit::ErrorCode;
use emporium_commands::CommandError;
use emporium_commands::wallet::WalletUseError;
use emporium_domain::money::MoneyError;
use emporium_domain::order::OrderError;
use emporium_domain::payment::{PaymentError, WalletError};
use emporium_domain::values::ValueError;
use emporium_infra::payments::GatewayError;

use crate::errors::{DomainRefusal, command_error};

/// The field a value error names, as the payment endpoints call it.
fn value_field(error: &ValueError) -> &'static str {
    match error {
        ValueError::InvalidText { field: "method_token", .. } => "payment_method",
        ValueError::InvalidText { field, .. } => field,
        _ => "",
    }
}

impl DomainRefusal for PaymentError {
    fn code(&self) -> &'static str {
        PaymentError::code(self)
    }

    fn field(&self) -> &'static str {
        match self {
            Self::ZeroAmount | Self::Money(MoneyError::OutOfRange(_) | MoneyError::CurrencyMismatch(..)) => "amount",
            Self::Money(MoneyError::InvalidCurrency(_)) => "amount.currency",
            Self::CardNumberRefused => "payment_method",
            Self::InvalidValue(error) => value_field(error),
            _ => "",
        }
    }
}

impl DomainRefusal for WalletError {
    fn code(&self) -> &'static str {
        WalletError::code(self)
    }

    fn field(&self) -> &'static str {
        match self {
            Self::CardNumberRefused | Self::InvalidLast4 => "token",
            Self::InvalidValue(error) => value_field(error),
            _ => "",
        }
    }
}

/// An order's refusal of what a payment endpoint asked of it.
///
/// The orders area owns `OrderError`'s general mapping; this one is only for the
/// commands the payment endpoints send (change the method, record a refund).
pub(crate) fn order_refusal(error: &OrderError) -> ApiError {
    let message = error.to_string();
    match error {
        OrderError::NotFound => ApiError::refusal(error.code(), "", "order not found"),
        OrderError::CardNumberRefused => ApiError::refusal(error.code(), "payment_method", message),
        OrderError::InvalidValue(value) => ApiError::refusal(error.code(), value_field(value), message),
        OrderError::InvalidTransition { from, .. } => ApiError::refusal(
            error.code(),
            "",
            format!("cannot pay an order that is {from}: only an order awaiting payment can be paid"),
        ),
        _ => ApiError::refusal(error.code(), "", message),
    }
}

/// A failed order command from a payment endpoint.
pub(crate) fn order_command_error(error: CommandError<OrderError>) -> ApiError {
    match error {
        CommandError::Domain(refusal) => order_refusal(&refusal),
        CommandError::Contention { .. } => ApiError::new(ErrorCode::CommandContention, error.to_string()),
        other => ApiError::internal(&other),
    }
}

/// The provider refused a payment method (saving one, or paying with one); `field`
/// is the request field that carried it.
pub(crate) fn method_refused(field: &str, error: GatewayError) -> ApiError {
    match error {
        GatewayError::Unavailable(_) => unavailable(),
        GatewayError::InvalidMethod | GatewayError::Rejected(_) => ApiError::field(
            field,
            ErrorCode::PaymentInvalidMethod,
            "not a payment method the provider accepts (a provider token such as pm_card_visa)",
        ),
        GatewayError::Declined { reason } => {
            ApiError::field(field, ErrorCode::PaymentDeclined, format!("the payment method was declined: {reason}"))
        }
    }
}

/// A saved-payment-method use case's failure; `field` is the request field that
/// carried the method.
pub(crate) fn wallet_error(field: &str, error: WalletUseError) -> ApiError {
    match error {
        WalletUseError::Gateway(refused) => method_refused(field, refused),
        WalletUseError::MethodNotFound => {
            ApiError::field(field, ErrorCode::PaymentMethodNotFound, "no saved payment method of yours has this id")
        }
        WalletUseError::Command(command) => command_error(command),
        other => ApiError::internal(&other),
    }
}

/// The provider refused a refund.
pub(crate) fn refund_refused(error: GatewayError) -> ApiError {
    match error {
        GatewayError::Unavailable(_) => unavailable(),
        GatewayError::Rejected(reason) => ApiError::new(
            ErrorCode::PaymentRefundRejected,
            format!("the payment provider refused the refund: {reason}"),
        ),
        GatewayError::Declined { reason } => ApiError::new(
            ErrorCode::PaymentRefundRejected,
            format!("the payment provider declined the refund: {reason}"),
        ),
        GatewayError::InvalidMethod => ApiError::new(
            ErrorCode::PaymentRefundRejected,
            "the payment provider no longer accepts this payment method",
        ),
    }
}

/// 503: the provider could not be reached; nothing was changed.
fn unavailable() -> ApiError {
    ApiError::retry_later(
        ErrorCode::PaymentProviderUnavailable,
        "the payment provider is unavailable; retry shortly",
        2,
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use axum::http::StatusCode;
    use emporium_domain::ids::PaymentMethodId;
    use emporium_domain::money::{Currency, Money};
    use emporium_domain::order::{OrderAction, OrderStatus};

    use super::*;
    use crate::errors::domain_error;

    fn eur(amount: i64) -> Money {
        Money::new(amount, Currency::parse("EUR").unwrap()).unwrap()
    }

    #[test]
    fn a_refund_beyond_the_capture_is_a_409_with_its_code() {
        let error = domain_error(&PaymentError::RefundExceedsCaptured { requested: eur(2), refundable: eur(1) });
        assert_eq!((error.status, error.code.as_str()), (StatusCode::CONFLICT, "payment.refund_exceeds_captured"));
        assert_eq!(domain_error(&PaymentError::NothingToRefund).status, StatusCode::CONFLICT);
        assert_eq!(domain_error(&PaymentError::NotFound).status, StatusCode::NOT_FOUND);
    }

    #[test]
    fn bad_amounts_and_tokens_are_400s_naming_their_field() {
        let error = domain_error(&PaymentError::ZeroAmount);
        assert_eq!((error.status, error.errors[0].field.as_str()), (StatusCode::BAD_REQUEST, "amount"));
        let error = domain_error(&WalletError::CardNumberRefused);
        assert_eq!((error.status, error.errors[0].field.as_str()), (StatusCode::BAD_REQUEST, "token"));
        let error = domain_error(&WalletError::InvalidValue(ValueError::InvalidText { field: "token", max: 500 }));
        assert_eq!(error.errors[0].field, "token");
    }

    #[test]
    fn a_full_wallet_is_a_conflict_and_an_unknown_method_a_404() {
        assert_eq!(domain_error(&WalletError::TooManyMethods { max: 20 }).status, StatusCode::CONFLICT);
        let missing = WalletError::MethodNotFound(PaymentMethodId::from_uuid(uuid::Uuid::nil()));
        assert_eq!(domain_error(&missing).status, StatusCode::NOT_FOUND);
    }

    #[test]
    fn paying_an_order_in_another_status_is_an_invalid_transition() {
        let error = order_refusal(&OrderError::InvalidTransition {
            from: OrderStatus::Confirmed,
            action: OrderAction::ChangePaymentMethod,
        });
        assert_eq!((error.status, error.code.as_str()), (StatusCode::CONFLICT, "order.invalid_transition"));
        assert_eq!(order_refusal(&OrderError::NotFound).status, StatusCode::NOT_FOUND);
    }

    #[test]
    fn provider_answers_map_to_400_409_and_503() {
        let invalid = method_refused("token", GatewayError::InvalidMethod);
        assert_eq!((invalid.status, invalid.errors[0].field.as_str()), (StatusCode::BAD_REQUEST, "token"));
        assert_eq!(invalid.errors[0].code, "payment.invalid_method");
        let down = method_refused("token", GatewayError::Unavailable("x".into()));
        assert_eq!((down.status, down.retry_after), (StatusCode::SERVICE_UNAVAILABLE, Some(2)));
        assert_eq!(refund_refused(GatewayError::Rejected("too much".into())).status, StatusCode::CONFLICT);
    }
}
