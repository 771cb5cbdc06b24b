//! What callers ask of a customer account.

use chrono::{DateTime, Utc};

use super::role::Role;
use crate::ids::CustomerId;
use crate::values::Email;

/// A request to change one account; `customer_id` names the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerCommand {
    /// Open an account; the caller has checked the address is not taken.
    Register {
        /// The new account's id.
        customer_id: CustomerId,
        /// The sign-in address.
        email: Email,
        /// Display name, 1-200 characters.
        name: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// Record that the customer proved they own the address.
    VerifyEmail {
        /// The account.
        customer_id: CustomerId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Replace the editable profile fields.
    ChangeProfile {
        /// The account.
        customer_id: CustomerId,
        /// Display name, 1-200 characters.
        name: String,
        /// Contact number, if any (see [`super::Phone`]).
        phone: Option<String>,
        /// Whether the customer accepts marketing mail.
        marketing_opt_in: bool,
        /// When.
        at: DateTime<Utc>,
    },
    /// Record that the password changed; the hash itself stays outside the log.
    RecordPasswordChange {
        /// The account.
        customer_id: CustomerId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Give the account a role it does not hold.
    GrantRole {
        /// The account.
        customer_id: CustomerId,
        /// The role to add.
        role: Role,
        /// When.
        at: DateTime<Utc>,
    },
    /// Take away a role the account holds.
    RevokeRole {
        /// The account.
        customer_id: CustomerId,
        /// The role to remove.
        role: Role,
        /// When.
        at: DateTime<Utc>,
    },
}

impl CustomerCommand {
    /// The account this command is for, which names its stream.
    pub fn customer_id(&self) -> CustomerId {
        match self {
            Self::Register { customer_id, .. }
            | Self::VerifyEmail { customer_id, .. }
            | Self::ChangeProfile { customer_id, .. }
            | Self::RecordPasswordChange { customer_id, .. }
            | Self::GrantRole { customer_id, .. }
            | Self::RevokeRole { customer_id, .. } => *customer_id,
        }
    }
}
