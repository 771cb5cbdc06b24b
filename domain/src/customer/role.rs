//! What an account may do beyond shopping.

use serde::{Deserialize, Serialize};

/// A role held by an account; every registered account holds [`Role::Customer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs the shop: catalog, stock, coupons, roles.
    Admin,
    /// Manages catalog, stock and orders.
    Manager,
    /// Shops: carts, orders, own account.
    Customer,
}

impl Role {
    /// The role named `name` exactly as [`Role::as_str`] writes it (tokens, JSON).
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Admin, Self::Manager, Self::Customer].into_iter().find(|role| role.as_str() == name)
    }

    /// The role's wire name, as in JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Manager => "manager",
            Self::Customer => "customer",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
