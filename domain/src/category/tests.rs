//! Given / when / then scenarios for every category command and refusal.
#![allow(clippy::unwrap_used, reason = "fixtures fail the test loudly")]

use chrono::{DateTime, Utc};

use super::*;
use crate::event::DomainEvent;
use crate::testing::given;
use crate::values::ValueError;

pub(super) fn id() -> CategoryId {
    CategoryId::from_uuid(uuid::Uuid::from_u128(3))
}

fn parent() -> CategoryId {
    CategoryId::from_uuid(uuid::Uuid::from_u128(1))
}

pub(super) fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_700_000_000 + secs, 0).unwrap()
}

pub(super) fn create(name: &str) -> CategoryCommand {
    CategoryCommand::CreateCategory { category_id: id(), name: name.into(), parent_id: Some(parent()), at: at(0) }
}

pub(super) fn rename(name: &str) -> CategoryCommand {
    CategoryCommand::RenameCategory { category_id: id(), name: name.into(), at: at(1) }
}

fn created() -> CategoryEvent {
    CategoryEvent::CategoryCreated(CategoryCreated {
        category_id: id(),
        name: "T-shirts".into(),
        parent_id: Some(parent()),
        at: at(0),
    })
}

fn invalid_name() -> CategoryError {
    CategoryError::InvalidName(ValueError::InvalidText { field: "name", max: 100 })
}

#[test]
fn creating_a_category_records_its_name_and_parent() {
    let state = given::<Category>(&[]).when(create(" T-shirts ")).then(&[created()]);
    let category = state.category().unwrap();
    assert_eq!((category.id(), category.name(), category.parent_id()), (id(), "T-shirts", Some(parent())));
    assert_eq!(category.created_at(), at(0));
}

#[test]
fn a_top_level_category_has_no_parent() {
    let expected = CategoryEvent::CategoryCreated(CategoryCreated {
        category_id: id(),
        name: "Clothing".into(),
        parent_id: None,
        at: at(0),
    });
    given::<Category>(&[])
        .when(CategoryCommand::CreateCategory {
            category_id: id(),
            name: "Clothing".into(),
            parent_id: None,
            at: at(0),
        })
        .then(&[expected]);
}

#[test]
fn creating_a_category_twice_is_refused() {
    given::<Category>(&[created()]).when(create("Shirts")).then_error(CategoryError::AlreadyExists);
}

#[test]
fn a_category_cannot_be_its_own_parent() {
    given::<Category>(&[])
        .when(CategoryCommand::CreateCategory {
            category_id: id(),
            name: "Loop".into(),
            parent_id: Some(id()),
            at: at(0),
        })
        .then_error(CategoryError::OwnParent);
}

#[test]
fn creating_with_an_empty_or_long_name_is_refused() {
    given::<Category>(&[]).when(create(" ")).then_error(invalid_name());
    given::<Category>(&[]).when(create(&"x".repeat(101))).then_error(invalid_name());
}

#[test]
fn renaming_changes_the_name() {
    let expected =
        CategoryEvent::CategoryRenamed(CategoryRenamed { category_id: id(), name: "Tees".into(), at: at(1) });
    let state = given::<Category>(&[created()]).when(rename("Tees ")).then(&[expected]);
    assert_eq!(state.category().unwrap().name(), "Tees");
}

#[test]
fn renaming_to_the_same_name_is_a_no_op() {
    given::<Category>(&[created()]).when(rename(" T-shirts")).then(&[]);
}

#[test]
fn renaming_a_missing_category_is_refused() {
    given::<Category>(&[]).when(rename("Tees")).then_error(CategoryError::NotFound);
}

#[test]
fn renaming_to_an_invalid_name_is_refused() {
    given::<Category>(&[created()]).when(rename("")).then_error(invalid_name());
}

#[test]
fn the_stream_id_is_the_category_and_the_id() {
    assert_eq!(Category::stream_id(&id()), format!("category-{}", id()));
    assert_eq!(rename("x").category_id(), id());
}

#[test]
fn events_serialize_with_their_type_as_tag_and_round_trip() {
    let renamed = CategoryEvent::CategoryRenamed(CategoryRenamed { category_id: id(), name: "Tees".into(), at: at(1) });
    for event in [created(), renamed] {
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["event_type"], event.event_type());
        assert_eq!(json["data"]["category_id"], id().to_string());
        assert_eq!(event.category_id(), id());
        assert_eq!(serde_json::from_value::<CategoryEvent>(json).unwrap(), event);
    }
}

#[test]
fn error_codes_are_stable_and_namespaced() {
    let errors = [
        (CategoryError::AlreadyExists, "category.already_exists"),
        (CategoryError::NotFound, "category.not_found"),
        (CategoryError::OwnParent, "category.own_parent"),
        (invalid_name(), "category.invalid_name"),
    ];
    for (error, code) in errors {
        assert_eq!(error.code(), code);
    }
}

#[cfg(feature = "schema")]
#[test]
fn every_event_type_has_a_json_schema() {
    let schema = serde_json::to_string(&schemars::schema_for!(CategoryEvent)).unwrap();
    for event_type in ["CategoryCreated", "CategoryRenamed"] {
        assert!(schema.contains(event_type), "{event_type} missing from the schema");
    }
}
