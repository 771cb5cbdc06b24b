//! Why an account command was refused.

use super::role::Role;
use crate::values::ValueError;

/// A refused account command; [`CustomerError::code`] gives its stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CustomerError {
    /// The account already exists.
    #[error("customer is already registered")]
    AlreadyRegistered,
    /// No account has been registered in this stream.
    #[error("customer not found")]
    NotFound,
    /// The address was verified before.
    #[error("email is already verified")]
    EmailAlreadyVerified,
    /// The account already holds the role.
    #[error("role {0} is already granted")]
    RoleAlreadyGranted(Role),
    /// The account does not hold the role.
    #[error("role {0} is not held")]
    RoleNotHeld(Role),
    /// The name is empty or longer than 200 characters.
    #[error("invalid name: {0}")]
    InvalidName(ValueError),
    /// The phone number is not 5-20 characters of digits, spaces, `+` and `-`.
    #[error("invalid phone number")]
    InvalidPhone,
}

impl CustomerError {
    /// The stable, documented code of this refusal.
    pub fn code(&self) -> &'static str {
        match self {
            Self::AlreadyRegistered => "customer.already_registered",
            Self::NotFound => "customer.not_found",
            Self::EmailAlreadyVerified => "customer.email_already_verified",
            Self::RoleAlreadyGranted(_) => "customer.role_already_granted",
            Self::RoleNotHeld(_) => "customer.role_not_held",
            Self::InvalidName(_) => "customer.invalid_name",
            Self::InvalidPhone => "customer.invalid_phone",
        }
    }
}
