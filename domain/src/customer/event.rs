//! The facts recorded about a customer account; none holds a credential.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::phone::Phone;
use super::role::Role;
use crate::event::DomainEvent;
use crate::ids::CustomerId;
use crate::values::Email;

/// Something that happened to an account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "event_type", content = "data")]
pub enum CustomerEvent {
    /// The account was opened.
    CustomerRegistered(CustomerRegistered),
    /// The customer proved they own the address.
    CustomerEmailVerified(CustomerEmailVerified),
    /// The profile was replaced.
    CustomerProfileChanged(CustomerProfileChanged),
    /// The password changed (the fact only).
    CustomerPasswordChanged(CustomerPasswordChanged),
    /// A role was granted.
    CustomerRoleGranted(CustomerRoleGranted),
    /// A role was revoked.
    CustomerRoleRevoked(CustomerRoleRevoked),
}

/// An account was opened; it holds the `customer` role from now on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CustomerRegistered {
    /// The account.
    pub customer_id: CustomerId,
    /// The sign-in address (personal data).
    pub email: Email,
    /// Display name, trimmed (personal data).
    pub name: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// The account's address was verified.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CustomerEmailVerified {
    /// The account.
    pub customer_id: CustomerId,
    /// When.
    pub at: DateTime<Utc>,
}

/// The profile fields were replaced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CustomerProfileChanged {
    /// The account.
    pub customer_id: CustomerId,
    /// Display name, trimmed (personal data).
    pub name: String,
    /// Contact number, if any (personal data).
    pub phone: Option<Phone>,
    /// Whether the customer accepts marketing mail.
    pub marketing_opt_in: bool,
    /// When.
    pub at: DateTime<Utc>,
}

/// The password changed; the hash is kept outside the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CustomerPasswordChanged {
    /// The account.
    pub customer_id: CustomerId,
    /// When.
    pub at: DateTime<Utc>,
}

/// A role was granted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CustomerRoleGranted {
    /// The account.
    pub customer_id: CustomerId,
    /// The role added.
    pub role: Role,
    /// When.
    pub at: DateTime<Utc>,
}

/// A role was revoked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CustomerRoleRevoked {
    /// The account.
    pub customer_id: CustomerId,
    /// The role removed.
    pub role: Role,
    /// When.
    pub at: DateTime<Utc>,
}

impl CustomerEvent {
    /// The account whose stream holds this event.
    pub fn customer_id(&self) -> CustomerId {
        match self {
            Self::CustomerRegistered(e) => e.customer_id,
            Self::CustomerEmailVerified(e) => e.customer_id,
            Self::CustomerProfileChanged(e) => e.customer_id,
            Self::CustomerPasswordChanged(e) => e.customer_id,
            Self::CustomerRoleGranted(e) => e.customer_id,
            Self::CustomerRoleRevoked(e) => e.customer_id,
        }
    }

    /// When it happened.
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            Self::CustomerRegistered(e) => e.at,
            Self::CustomerEmailVerified(e) => e.at,
            Self::CustomerProfileChanged(e) => e.at,
            Self::CustomerPasswordChanged(e) => e.at,
            Self::CustomerRoleGranted(e) => e.at,
            Self::CustomerRoleRevoked(e) => e.at,
        }
    }
}

impl DomainEvent for CustomerEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::CustomerRegistered(_) => "CustomerRegistered",
            Self::CustomerEmailVerified(_) => "CustomerEmailVerified",
            Self::CustomerProfileChanged(_) => "CustomerProfileChanged",
            Self::CustomerPasswordChanged(_) => "CustomerPasswordChanged",
            Self::CustomerRoleGranted(_) => "CustomerRoleGranted",
            Self::CustomerRoleRevoked(_) => "CustomerRoleRevoked",
        }
    }
}
