//! What the users write endpoints answer in `data`.

use emporium_domain::customer::Account;
use serde::Serialize;

use super::account::role_names;

/// A new account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Registered {
    /// The customer's id.
    pub id: String,
    /// The sign-in address, lower-cased.
    pub email: String,
    /// Display name, trimmed.
    pub name: String,
    /// False until the mailed link is used.
    pub email_verified: bool,
    /// Global position of the last event written (send it as `X-Emporium-Min-Position`).
    pub position: u64,
}

/// An account's profile after a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ProfileWritten {
    /// The customer's id.
    pub id: String,
    /// The sign-in address.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Contact number, if any.
    pub phone: Option<String>,
    /// Whether the customer accepts marketing mail.
    pub marketing_opt_in: bool,
    /// Whether the address has been verified.
    pub email_verified: bool,
    /// Roles held.
    pub roles: Vec<String>,
    /// Global position of the last event written.
    pub position: u64,
}

impl ProfileWritten {
    /// The profile of `account` as of `position`.
    pub fn of(account: &Account, position: u64) -> Self {
        Self {
            id: account.id().to_string(),
            email: account.email().as_str().to_owned(),
            name: account.name().to_owned(),
            phone: account.phone().map(|p| p.as_str().to_owned()),
            marketing_opt_in: account.marketing_opt_in(),
            email_verified: account.email_verified(),
            roles: role_names(account),
            position,
        }
    }
}

/// A change that has no other data to show: the position of its last event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Done {
    /// Global position of the last event written (0 when nothing was written).
    pub position: u64,
}

/// A request taken in whose outcome is not disclosed (forgot-password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Accepted {
    /// Always true.
    pub accepted: bool,
}

/// The roles of an account after a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RolesWritten {
    /// The customer's id.
    pub id: String,
    /// Roles held now; they reach access tokens at the next login or refresh.
    pub roles: Vec<String>,
    /// Global position of the last event written.
    pub position: u64,
}
