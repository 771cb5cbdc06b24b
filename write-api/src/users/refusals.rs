//! The customer aggregate's refusals as HTTP: stable codes from the domain, the
//! status from the kind of refusal, the field for input problems.

use emporium_domain::customer::CustomerError;

use crate::errors::DomainRefusal;

impl DomainRefusal for CustomerError {
    fn code(&self) -> &'static str {
        CustomerError::code(self)
    }

    fn field(&self) -> &'static str {
        match self {
            Self::InvalidName(_) => "name",
            Self::InvalidPhone => "phone",
            _ => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;
    use emporium_domain::customer::{CustomerError, Role};
    use emporium_domain::values::ValueError;

    use crate::errors::domain_error;

    #[test]
    fn each_refusal_has_its_status_and_field() {
        let cases = [
            (CustomerError::AlreadyRegistered, StatusCode::CONFLICT, ""),
            (CustomerError::NotFound, StatusCode::NOT_FOUND, ""),
            (CustomerError::EmailAlreadyVerified, StatusCode::CONFLICT, ""),
            (CustomerError::RoleAlreadyGranted(Role::Admin), StatusCode::CONFLICT, ""),
            (CustomerError::RoleNotHeld(Role::Manager), StatusCode::CONFLICT, ""),
            (
                CustomerError::InvalidName(ValueError::InvalidText { field: "name", max: 200 }),
                StatusCode::BAD_REQUEST,
                "name",
            ),
            (CustomerError::InvalidPhone, StatusCode::BAD_REQUEST, "phone"),
        ];
        for (refusal, status, field) in cases {
            let error = domain_error(&refusal);
            assert_eq!(error.status, status, "{refusal:?}");
            assert_eq!(
                error.code,
                if status == StatusCode::BAD_REQUEST { "validation.failed" } else { refusal.code() }
            );
            if status == StatusCode::BAD_REQUEST {
                assert_eq!(error.errors[0].field, field);
                assert_eq!(error.errors[0].code, refusal.code());
            }
        }
    }
}
