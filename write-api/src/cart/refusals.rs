//! How the cart aggregate's refusals map to HTTP (codes stay the domain's own).

use emporium_domain::cart::CartError;
use emporium_domain::money::MoneyError;
use emporium_domain::values::ValueError;

use crate::errors::DomainRefusal;

impl DomainRefusal for CartError {
    fn code(&self) -> &'static str {
        CartError::code(self)
    }

    fn field(&self) -> &'static str {
        match self {
            Self::InvalidValue(ValueError::InvalidText { field, .. }) => field,
            Self::InvalidValue(ValueError::InvalidQuantity(_)) => "quantity",
            Self::InvalidValue(ValueError::InvalidSku(_)) => "sku",
            Self::InvalidValue(ValueError::InvalidEmail) => "",
            Self::Money(MoneyError::InvalidCurrency(_)) => "currency",
            _ => "",
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use axum::http::StatusCode;
    use chrono::Utc;
    use emporium_domain::ids::CartLineId;
    use emporium_domain::money::Currency;
    use uuid::Uuid;

    use super::*;
    use crate::errors::domain_error;

    #[test]
    fn an_empty_cart_is_a_bad_request() {
        let error = domain_error(&CartError::Empty);
        assert_eq!((error.status, error.errors[0].code.as_str()), (StatusCode::BAD_REQUEST, "cart.empty"));
    }

    #[test]
    fn missing_lines_are_404s_and_coupon_problems_409s() {
        let line = CartLineId::from_uuid(Uuid::nil());
        assert_eq!(domain_error(&CartError::LineNotFound(line)).status, StatusCode::NOT_FOUND);
        let expired = CartError::CouponExpired { code: "X".into(), valid_until: Utc::now() };
        assert_eq!(
            (domain_error(&expired).status, domain_error(&expired).code.as_str()),
            (StatusCode::CONFLICT, "cart.coupon_expired")
        );
        let usd = Currency::parse("USD").unwrap();
        let eur = Currency::parse("EUR").unwrap();
        assert_eq!(
            domain_error(&CartError::Money(MoneyError::CurrencyMismatch(usd, eur))).status,
            StatusCode::CONFLICT
        );
    }

    #[test]
    fn bad_values_name_their_field() {
        let error = domain_error(&CartError::InvalidValue(ValueError::InvalidText { field: "name", max: 200 }));
        assert_eq!((error.status, error.errors[0].field.as_str()), (StatusCode::BAD_REQUEST, "name"));
        let error = domain_error(&CartError::InvalidValue(ValueError::InvalidQuantity(0)));
        assert_eq!(error.errors[0].field, "quantity");
    }
}
