//! How the catalog aggregates' refusals map to HTTP: the one place for product,
//! category, inventory and coupon errors (codes stay the domain's own).

use emporium_domain::category::CategoryError;
use emporium_domain::coupon::CouponError;
use emporium_domain::inventory::InventoryError;
use emporium_domain::product::ProductError;

use crate::errors::DomainRefusal;

impl DomainRefusal for ProductError {
    fn code(&self) -> &'static str {
        ProductError::code(self)
    }

    fn field(&self) -> &'static str {
        match self {
            Self::InvalidName(_) => "name",
            Self::DescriptionTooLong { .. } => "description",
            Self::TooManyImages { .. } | Self::InvalidImageUrl { .. } => "images",
            Self::CurrencyChange { .. } => "price.currency",
            Self::AlreadyExists | Self::NotFound | Self::Discontinued => "",
        }
    }
}

impl DomainRefusal for CategoryError {
    fn code(&self) -> &'static str {
        CategoryError::code(self)
    }

    fn field(&self) -> &'static str {
        match self {
            Self::OwnParent => "parent_id",
            Self::InvalidName(_) => "name",
            Self::NotFound | Self::AlreadyExists => "",
        }
    }
}

impl DomainRefusal for InventoryError {
    fn code(&self) -> &'static str {
        InventoryError::code(self)
    }

    fn field(&self) -> &'static str {
        match self {
            Self::InvalidAdjustment(_) => "quantity",
            Self::InvalidReason(_) => "reason",
            _ => "",
        }
    }
}

impl DomainRefusal for CouponError {
    fn code(&self) -> &'static str {
        CouponError::code(self)
    }

    fn field(&self) -> &'static str {
        match self {
            Self::InvalidCode => "code",
            Self::InvalidPercent(_) | Self::InvalidAmount => "value",
            Self::InvalidValidity => "valid_until",
            Self::InvalidMaxUses => "max_uses",
            _ => "",
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use axum::http::StatusCode;
    use emporium_domain::values::ValueError;

    use super::*;
    use crate::errors::domain_error;

    #[test]
    fn input_errors_are_400s_naming_their_field() {
        let error = domain_error(&ProductError::InvalidName(ValueError::InvalidText { field: "name", max: 200 }));
        assert_eq!((error.status, error.errors[0].field.as_str()), (StatusCode::BAD_REQUEST, "name"));
        assert_eq!(error.errors[0].code, "product.invalid_name");
        let error = domain_error(&CouponError::InvalidPercent(120));
        assert_eq!((error.status, error.errors[0].field.as_str()), (StatusCode::BAD_REQUEST, "value"));
    }

    #[test]
    fn state_conflicts_are_409s_and_missing_things_404s() {
        let error = domain_error(&InventoryError::AdjustmentExceedsAvailable { delta: -5, available: 2 });
        assert_eq!(
            (error.status, error.code.as_str()),
            (StatusCode::CONFLICT, "inventory.adjustment_exceeds_available")
        );
        assert_eq!(domain_error(&ProductError::Discontinued).status, StatusCode::CONFLICT);
        assert_eq!(domain_error(&ProductError::NotFound).status, StatusCode::NOT_FOUND);
        assert_eq!(domain_error(&CategoryError::NotFound).status, StatusCode::NOT_FOUND);
    }
}
