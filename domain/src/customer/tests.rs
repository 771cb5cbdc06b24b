//! Given / when / then scenarios for every account command and refusal.
#![allow(clippy::unwrap_used, reason = "fixtures fail the test loudly")]

use chrono::{DateTime, Utc};

use super::*;
use crate::event::DomainEvent;
use crate::testing::given;
use crate::values::{Email, ValueError};

pub(super) fn id() -> CustomerId {
    CustomerId::from_uuid(uuid::Uuid::from_u128(7))
}

pub(super) fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_700_000_000 + secs, 0).unwrap()
}

pub(super) fn email() -> Email {
    Email::parse("ann@example.com").unwrap()
}

pub(super) fn register() -> CustomerCommand {
    CustomerCommand::Register { customer_id: id(), email: email(), name: " Ann Lee ".into(), at: at(0) }
}

pub(super) fn registered() -> CustomerEvent {
    CustomerEvent::CustomerRegistered(CustomerRegistered {
        customer_id: id(),
        email: email(),
        name: "Ann Lee".into(),
        at: at(0),
    })
}

fn verified() -> CustomerEvent {
    CustomerEvent::CustomerEmailVerified(CustomerEmailVerified { customer_id: id(), at: at(1) })
}

fn granted(role: Role) -> CustomerEvent {
    CustomerEvent::CustomerRoleGranted(CustomerRoleGranted { customer_id: id(), role, at: at(2) })
}

fn change_profile(name: &str, phone: Option<&str>) -> CustomerCommand {
    CustomerCommand::ChangeProfile {
        customer_id: id(),
        name: name.into(),
        phone: phone.map(Into::into),
        marketing_opt_in: true,
        at: at(3),
    }
}

#[test]
fn registering_opens_an_account_holding_the_customer_role() {
    let state = given::<Customer>(&[]).when(register()).then(&[registered()]);
    let account = state.account().unwrap();
    assert_eq!(account.id(), id());
    assert_eq!(account.email(), &email());
    assert_eq!(account.name(), "Ann Lee");
    assert!(!account.email_verified());
    assert_eq!(account.roles().iter().copied().collect::<Vec<_>>(), vec![Role::Customer]);
    assert_eq!(account.registered_at(), at(0));
}

#[test]
fn registering_twice_is_refused() {
    given::<Customer>(&[registered()]).when(register()).then_error(CustomerError::AlreadyRegistered);
}

#[test]
fn registering_without_a_name_or_with_a_long_one_is_refused() {
    let invalid = CustomerError::InvalidName(ValueError::InvalidText { field: "name", max: 200 });
    for name in ["  ".to_owned(), "x".repeat(201)] {
        given::<Customer>(&[])
            .when(CustomerCommand::Register { customer_id: id(), email: email(), name, at: at(0) })
            .then_error(invalid.clone());
    }
}

#[test]
fn verifying_the_email_marks_it_verified() {
    let state = given::<Customer>(&[registered()])
        .when(CustomerCommand::VerifyEmail { customer_id: id(), at: at(1) })
        .then(&[verified()]);
    assert!(state.account().unwrap().email_verified());
}

#[test]
fn verifying_an_already_verified_email_is_refused() {
    given::<Customer>(&[registered(), verified()])
        .when(CustomerCommand::VerifyEmail { customer_id: id(), at: at(1) })
        .then_error(CustomerError::EmailAlreadyVerified);
}

#[test]
fn commands_to_an_unregistered_account_are_refused() {
    let commands = [
        CustomerCommand::VerifyEmail { customer_id: id(), at: at(1) },
        change_profile("Ann", None),
        CustomerCommand::RecordPasswordChange { customer_id: id(), at: at(1) },
        CustomerCommand::GrantRole { customer_id: id(), role: Role::Admin, at: at(1) },
        CustomerCommand::RevokeRole { customer_id: id(), role: Role::Customer, at: at(1) },
    ];
    for command in commands {
        given::<Customer>(&[]).when(command).then_error(CustomerError::NotFound);
    }
}

#[test]
fn changing_the_profile_replaces_name_phone_and_opt_in() {
    let expected = CustomerEvent::CustomerProfileChanged(CustomerProfileChanged {
        customer_id: id(),
        name: "Ann B. Lee".into(),
        phone: Some(Phone::parse("+1 555-0100").unwrap()),
        marketing_opt_in: true,
        at: at(3),
    });
    let state =
        given::<Customer>(&[registered()]).when(change_profile(" Ann B. Lee", Some(" +1 555-0100 "))).then(&[expected]);
    let account = state.account().unwrap();
    assert_eq!(account.name(), "Ann B. Lee");
    assert_eq!(account.phone().map(Phone::as_str), Some("+1 555-0100"));
    assert!(account.marketing_opt_in());
}

#[test]
fn changing_the_profile_with_an_invalid_name_or_phone_is_refused() {
    given::<Customer>(&[registered()])
        .when(change_profile("", None))
        .then_error(CustomerError::InvalidName(ValueError::InvalidText { field: "name", max: 200 }));
    given::<Customer>(&[registered()])
        .when(change_profile("Ann", Some("call me")))
        .then_error(CustomerError::InvalidPhone);
}

#[test]
fn a_password_change_is_recorded_as_a_fact_without_any_secret() {
    let expected = CustomerEvent::CustomerPasswordChanged(CustomerPasswordChanged { customer_id: id(), at: at(4) });
    let state = given::<Customer>(&[registered()])
        .when(CustomerCommand::RecordPasswordChange { customer_id: id(), at: at(4) })
        .then(std::slice::from_ref(&expected));
    assert_eq!(state.account().unwrap().password_changed_at(), Some(at(4)));
    let json = serde_json::to_value(&expected).unwrap();
    assert_eq!(json["data"].as_object().unwrap().keys().collect::<Vec<_>>(), ["at", "customer_id"]);
}

#[test]
fn granting_a_role_adds_it() {
    let state = given::<Customer>(&[registered()])
        .when(CustomerCommand::GrantRole { customer_id: id(), role: Role::Admin, at: at(2) })
        .then(&[granted(Role::Admin)]);
    assert!(state.account().unwrap().has_role(Role::Admin));
}

#[test]
fn granting_a_role_already_held_is_refused() {
    given::<Customer>(&[registered()])
        .when(CustomerCommand::GrantRole { customer_id: id(), role: Role::Customer, at: at(2) })
        .then_error(CustomerError::RoleAlreadyGranted(Role::Customer));
}

#[test]
fn revoking_a_role_removes_it() {
    let expected =
        CustomerEvent::CustomerRoleRevoked(CustomerRoleRevoked { customer_id: id(), role: Role::Manager, at: at(5) });
    let state = given::<Customer>(&[registered(), granted(Role::Manager)])
        .when(CustomerCommand::RevokeRole { customer_id: id(), role: Role::Manager, at: at(5) })
        .then(&[expected]);
    assert!(!state.account().unwrap().has_role(Role::Manager));
}

#[test]
fn revoking_a_role_not_held_is_refused() {
    given::<Customer>(&[registered()])
        .when(CustomerCommand::RevokeRole { customer_id: id(), role: Role::Admin, at: at(5) })
        .then_error(CustomerError::RoleNotHeld(Role::Admin));
}

#[test]
fn roles_serialize_in_snake_case() {
    assert_eq!(serde_json::to_string(&Role::Admin).unwrap(), r#""admin""#);
    assert_eq!(serde_json::from_str::<Role>(r#""manager""#).unwrap(), Role::Manager);
    assert_eq!(Role::Customer.to_string(), "customer");
}

#[test]
fn the_stream_id_is_the_category_and_the_id() {
    assert_eq!(Customer::stream_id(&id()), format!("customer-{}", id()));
    assert_eq!(register().customer_id(), id());
}

#[test]
fn events_serialize_with_their_type_as_tag_and_round_trip() {
    let events = [
        registered(),
        verified(),
        CustomerEvent::CustomerProfileChanged(CustomerProfileChanged {
            customer_id: id(),
            name: "A".into(),
            phone: None,
            marketing_opt_in: false,
            at: at(1),
        }),
        CustomerEvent::CustomerPasswordChanged(CustomerPasswordChanged { customer_id: id(), at: at(1) }),
        granted(Role::Admin),
        CustomerEvent::CustomerRoleRevoked(CustomerRoleRevoked { customer_id: id(), role: Role::Admin, at: at(1) }),
    ];
    for event in events {
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["event_type"], event.event_type());
        assert_eq!(json["data"]["customer_id"], id().to_string());
        assert_eq!(event.customer_id(), id());
        assert_eq!(serde_json::from_value::<CustomerEvent>(json).unwrap(), event);
    }
}

#[test]
fn error_codes_are_stable_and_namespaced() {
    let errors = [
        (CustomerError::AlreadyRegistered, "customer.already_registered"),
        (CustomerError::NotFound, "customer.not_found"),
        (CustomerError::EmailAlreadyVerified, "customer.email_already_verified"),
        (CustomerError::RoleAlreadyGranted(Role::Admin), "customer.role_already_granted"),
        (CustomerError::RoleNotHeld(Role::Admin), "customer.role_not_held"),
        (CustomerError::InvalidName(ValueError::InvalidEmail), "customer.invalid_name"),
        (CustomerError::InvalidPhone, "customer.invalid_phone"),
    ];
    for (error, code) in errors {
        assert_eq!(error.code(), code);
    }
}

#[cfg(feature = "schema")]
#[test]
fn every_event_type_has_a_json_schema() {
    let schema = serde_json::to_string(&schemars::schema_for!(CustomerEvent)).unwrap();
    for event_type in [
        "CustomerRegistered",
        "CustomerEmailVerified",
        "CustomerProfileChanged",
        "CustomerPasswordChanged",
        "CustomerRoleGranted",
        "CustomerRoleRevoked",
    ] {
        assert!(schema.contains(event_type), "{event_type} missing from the schema");
    }
}
