//! How the order aggregate's refusals map to HTTP (codes stay the domain's own).

use emporium_domain::money::MoneyError;
use emporium_domain::order::OrderError;
use emporium_domain::values::ValueError;

use crate::errors::DomainRefusal;

impl DomainRefusal for OrderError {
    fn code(&self) -> &'static str {
        OrderError::code(self)
    }

    fn field(&self) -> &'static str {
        match self {
            Self::NoLines | Self::TooManyLines { .. } => "lines",
            Self::InvalidValue(ValueError::InvalidText { field, .. }) => field,
            Self::InvalidValue(ValueError::InvalidQuantity(_)) => "lines.quantity",
            Self::InvalidValue(_) => "",
            Self::InvalidCountry(_) => "shipping_address.country",
            Self::CardNumberRefused => "payment_method",
            Self::InvalidInvoiceNumber => "invoice_number",
            Self::ZeroRefund => "amount",
            // Lines in several currencies, or totals past the largest amount.
            Self::Money(MoneyError::CurrencyMismatch(..) | MoneyError::OutOfRange(_)) => "lines",
            Self::Money(MoneyError::InvalidCurrency(_)) => "currency",
            _ => "",
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use axum::http::StatusCode;
    use emporium_domain::order::{OrderAction, OrderStatus};

    use super::*;
    use crate::errors::domain_error;

    #[test]
    fn illegal_transitions_are_409s() {
        let error =
            domain_error(&OrderError::InvalidTransition { from: OrderStatus::Pending, action: OrderAction::Ship });
        assert_eq!((error.status, error.code.as_str()), (StatusCode::CONFLICT, "order.invalid_transition"));
        assert_eq!(error.message, "cannot ship an order that is pending");
    }

    #[test]
    fn bad_input_names_its_field() {
        let error = domain_error(&OrderError::InvalidValue(ValueError::InvalidText {
            field: "shipping_address.city",
            max: 100,
        }));
        assert_eq!((error.status, error.errors[0].field.as_str()), (StatusCode::BAD_REQUEST, "shipping_address.city"));
        assert_eq!(domain_error(&OrderError::CardNumberRefused).errors[0].field, "payment_method");
        assert_eq!(domain_error(&OrderError::NotFound).status, StatusCode::NOT_FOUND);
    }
}
