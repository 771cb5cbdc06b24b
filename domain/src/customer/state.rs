//! What an account's stream remembers.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use super::phone::Phone;
use super::role::Role;
use crate::ids::CustomerId;
use crate::values::Email;

/// An account's stream: `None` until the customer registers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomerState {
    /// The account, once registered.
    pub(super) account: Option<Account>,
}

impl CustomerState {
    /// The account, or `None` before registration.
    pub fn account(&self) -> Option<&Account> {
        self.account.as_ref()
    }

    /// True once the customer has registered.
    pub fn is_registered(&self) -> bool {
        self.account.is_some()
    }
}

/// A registered account.
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub(super) id: CustomerId,
    pub(super) email: Email,
    pub(super) email_verified: bool,
    pub(super) name: String,
    pub(super) phone: Option<Phone>,
    pub(super) marketing_opt_in: bool,
    pub(super) roles: BTreeSet<Role>,
    pub(super) registered_at: DateTime<Utc>,
    pub(super) password_changed_at: Option<DateTime<Utc>>,
}

impl Account {
    /// The account's id.
    pub fn id(&self) -> CustomerId {
        self.id
    }

    /// The sign-in address.
    pub fn email(&self) -> &Email {
        &self.email
    }

    /// True once the customer proved they own the address.
    pub fn email_verified(&self) -> bool {
        self.email_verified
    }

    /// Display name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Contact number, if given.
    pub fn phone(&self) -> Option<&Phone> {
        self.phone.as_ref()
    }

    /// Whether the customer accepts marketing mail.
    pub fn marketing_opt_in(&self) -> bool {
        self.marketing_opt_in
    }

    /// The roles held, in a stable order.
    pub fn roles(&self) -> &BTreeSet<Role> {
        &self.roles
    }

    /// True when the account holds `role`.
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// When the account was opened.
    pub fn registered_at(&self) -> DateTime<Utc> {
        self.registered_at
    }

    /// When the password last changed, if ever after registration.
    pub fn password_changed_at(&self) -> Option<DateTime<Utc>> {
        self.password_changed_at
    }
}
