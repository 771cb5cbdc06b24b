//! The `customers` read model: each account's profile as `GET /api/v1/users/profile`
//! shows it.
//!
//! Document (key: customer id): `id`, `email`, `name`, `phone` (or null),
//! `marketing_opt_in`, `email_verified`, `roles` (`admin`, `manager`, `customer`, in
//! that order), `created_at`, `updated_at`, `password_changed_at` (or null). No
//! credential ever reaches it: the log holds none.

use std::collections::BTreeSet;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use emporium_domain::Decider;
use emporium_domain::customer::{Customer, CustomerEvent, Role};
use emporium_domain::ids::CustomerId;
use emporium_infra::event_store::RecordedEvent;
use emporium_infra::read_store::DocWrite;
use serde::{Deserialize, Serialize};

use super::render::{fixed_time, fixed_time_opt, malformed};
use crate::{Documents, ProjectionError, Projector, decode};

/// The collection.
pub const CUSTOMERS: &str = "customers";

/// Projects customer events into profiles.
#[derive(Debug, Clone, Copy, Default)]
pub struct CustomersProjector;

/// The stored profile, typed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerDoc {
    /// The customer's id (also the document key).
    pub id: CustomerId,
    /// Sign-in address.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Contact number.
    pub phone: Option<String>,
    /// Whether marketing mail is welcome.
    pub marketing_opt_in: bool,
    /// Whether the address is verified.
    pub email_verified: bool,
    /// Roles held, most powerful first.
    pub roles: BTreeSet<Role>,
    /// When the account was opened.
    #[serde(with = "fixed_time")]
    pub created_at: DateTime<Utc>,
    /// When the profile last changed.
    #[serde(with = "fixed_time")]
    pub updated_at: DateTime<Utc>,
    /// When the password last changed, if ever.
    #[serde(with = "fixed_time_opt")]
    pub password_changed_at: Option<DateTime<Utc>>,
}

#[async_trait]
impl Projector for CustomersProjector {
    fn name(&self) -> &'static str {
        "customers"
    }

    fn collections(&self) -> &'static [&'static str] {
        &[CUSTOMERS]
    }

    async fn project(&self, event: &RecordedEvent, docs: &Documents) -> Result<Vec<DocWrite>, ProjectionError> {
        if event.category() != Customer::CATEGORY {
            return Ok(Vec::new());
        }
        let event: CustomerEvent = decode(event)?;
        let id = event.customer_id().to_string();
        let current = match docs.get(CUSTOMERS, &id).await? {
            Some(doc) => {
                Some(serde_json::from_value::<CustomerDoc>(doc).map_err(|e| malformed(CUSTOMERS, &id, e.to_string()))?)
            }
            None => None,
        };
        let Some(next) = apply(current, &event) else {
            // Like the aggregate's own evolve: facts about an unregistered account change nothing.
            return Ok(Vec::new());
        };
        let doc = serde_json::to_value(next).map_err(|e| malformed(CUSTOMERS, &id, e.to_string()))?;
        Ok(vec![DocWrite::put(CUSTOMERS, id, doc)])
    }
}

/// Folds one event into the profile.
pub fn apply(current: Option<CustomerDoc>, event: &CustomerEvent) -> Option<CustomerDoc> {
    if let CustomerEvent::CustomerRegistered(e) = event {
        return Some(CustomerDoc {
            id: e.customer_id,
            email: e.email.as_str().to_owned(),
            name: e.name.clone(),
            phone: None,
            marketing_opt_in: false,
            email_verified: false,
            roles: BTreeSet::from([Role::Customer]),
            created_at: e.at,
            updated_at: e.at,
            password_changed_at: None,
        });
    }
    let mut doc = current?;
    match event {
        CustomerEvent::CustomerRegistered(_) => {}
        CustomerEvent::CustomerEmailVerified(_) => doc.email_verified = true,
        CustomerEvent::CustomerProfileChanged(e) => {
            doc.name = e.name.clone();
            doc.phone = e.phone.as_ref().map(|p| p.as_str().to_owned());
            doc.marketing_opt_in = e.marketing_opt_in;
        }
        CustomerEvent::CustomerPasswordChanged(e) => doc.password_changed_at = Some(e.at),
        CustomerEvent::CustomerRoleGranted(e) => {
            doc.roles.insert(e.role);
        }
        CustomerEvent::CustomerRoleRevoked(e) => {
            doc.roles.remove(&e.role);
        }
    }
    doc.updated_at = event.at();
    Some(doc)
}

#[cfg(test)]
mod tests {
    use emporium_domain::customer::{
        CustomerEmailVerified, CustomerPasswordChanged, CustomerProfileChanged, CustomerRegistered,
        CustomerRoleGranted, CustomerRoleRevoked, Phone,
    };
    use emporium_domain::values::Email;

    use super::*;

    #[test]
    fn a_profile_follows_the_accounts_history() {
        let id = CustomerId::from_uuid(uuid::Uuid::now_v7());
        let at = |s: i64| DateTime::from_timestamp(1_700_000_000 + s, 0).unwrap();
        let events = [
            CustomerEvent::CustomerRegistered(CustomerRegistered {
                customer_id: id,
                email: Email::parse("ann@example.com").unwrap(),
                name: "Ann".into(),
                at: at(0),
            }),
            CustomerEvent::CustomerEmailVerified(CustomerEmailVerified { customer_id: id, at: at(1) }),
            CustomerEvent::CustomerProfileChanged(CustomerProfileChanged {
                customer_id: id,
                name: "Ann B".into(),
                phone: Some(Phone::parse("+44 1234").unwrap()),
                marketing_opt_in: true,
                at: at(2),
            }),
            CustomerEvent::CustomerRoleGranted(CustomerRoleGranted { customer_id: id, role: Role::Manager, at: at(3) }),
            CustomerEvent::CustomerRoleGranted(CustomerRoleGranted { customer_id: id, role: Role::Admin, at: at(4) }),
            CustomerEvent::CustomerRoleRevoked(CustomerRoleRevoked { customer_id: id, role: Role::Manager, at: at(5) }),
            CustomerEvent::CustomerPasswordChanged(CustomerPasswordChanged { customer_id: id, at: at(6) }),
        ];
        let doc = events.iter().fold(None, apply).unwrap();
        let json = serde_json::to_value(&doc).unwrap();
        assert_eq!(json["email"], "ann@example.com");
        assert_eq!(json["name"], "Ann B");
        assert_eq!(json["phone"], "+44 1234");
        assert_eq!(json["marketing_opt_in"], true);
        assert_eq!(json["email_verified"], true);
        assert_eq!(json["roles"], serde_json::json!(["admin", "customer"]));
        assert_eq!(json["created_at"], "2023-11-14T22:13:20.000000Z");
        assert_eq!(json["updated_at"], "2023-11-14T22:13:26.000000Z");
        assert_eq!(json["password_changed_at"], "2023-11-14T22:13:26.000000Z");
        assert_eq!(serde_json::from_value::<CustomerDoc>(json).unwrap(), doc, "documents read back as written");
    }

    #[test]
    fn facts_about_an_unregistered_account_are_ignored() {
        let id = CustomerId::from_uuid(uuid::Uuid::now_v7());
        let verified = CustomerEvent::CustomerEmailVerified(CustomerEmailVerified { customer_id: id, at: Utc::now() });
        assert_eq!(apply(None, &verified), None);
    }
}
