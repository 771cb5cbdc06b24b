//! Given / when / then scenarios for every product command and refusal.
#![allow(clippy::unwrap_used, reason = "fixtures fail the test loudly")]

use chrono::{DateTime, Utc};

use super::*;
use crate::event::DomainEvent;
use crate::ids::CategoryId;
use crate::money::{Currency, Money};
use crate::testing::given;
use crate::values::{Sku, ValueError};

pub(super) fn id() -> ProductId {
    ProductId::from_uuid(uuid::Uuid::from_u128(11))
}

pub(super) fn category(n: u128) -> CategoryId {
    CategoryId::from_uuid(uuid::Uuid::from_u128(n))
}

pub(super) fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_700_000_000 + secs, 0).unwrap()
}

pub(super) fn money(amount: i64, currency: &str) -> Money {
    Money::new(amount, Currency::parse(currency).unwrap()).unwrap()
}

fn sku() -> Sku {
    Sku::parse("TEE-RED-L").unwrap()
}

fn image() -> String {
    "https://cdn.example.com/tee.png".into()
}

pub(super) fn create() -> ProductCommand {
    ProductCommand::CreateProduct {
        product_id: id(),
        sku: sku(),
        name: " Red tee ".into(),
        description: "Soft cotton. ".into(),
        price: money(1999, "USD"),
        category_id: Some(category(1)),
        images: vec![format!(" {} ", image())],
        at: at(0),
    }
}

fn created() -> ProductEvent {
    ProductEvent::ProductCreated(ProductCreated {
        product_id: id(),
        sku: sku(),
        name: "Red tee".into(),
        description: "Soft cotton.".into(),
        price: money(1999, "USD"),
        category_id: Some(category(1)),
        images: vec![image()],
        at: at(0),
    })
}

fn discontinued() -> ProductEvent {
    ProductEvent::ProductDiscontinued(ProductDiscontinued { product_id: id(), at: at(9) })
}

pub(super) fn change_details(name: &str, description: &str, images: Vec<String>) -> ProductCommand {
    ProductCommand::ChangeDetails {
        product_id: id(),
        name: name.into(),
        description: description.into(),
        images,
        at: at(1),
    }
}

pub(super) fn change_price(price: Money) -> ProductCommand {
    ProductCommand::ChangePrice { product_id: id(), price, at: at(2) }
}

pub(super) fn assign(category_id: CategoryId) -> ProductCommand {
    ProductCommand::AssignCategory { product_id: id(), category_id, at: at(3) }
}

pub(super) fn discontinue() -> ProductCommand {
    ProductCommand::Discontinue { product_id: id(), at: at(9) }
}

#[test]
fn creating_a_product_records_its_trimmed_details() {
    let state = given::<Product>(&[]).when(create()).then(&[created()]);
    let product = state.product().unwrap();
    assert_eq!((product.id(), product.sku(), product.name()), (id(), &sku(), "Red tee"));
    assert_eq!((product.description(), product.price()), ("Soft cotton.", money(1999, "USD")));
    assert_eq!((product.category_id(), product.images()), (Some(category(1)), &[image()][..]));
    assert_eq!(product.created_at(), at(0));
    assert!(!product.is_discontinued());
}

#[test]
fn creating_a_product_twice_is_refused() {
    given::<Product>(&[created()]).when(create()).then_error(ProductError::AlreadyExists);
}

#[test]
fn creating_with_invalid_details_is_refused() {
    let with = |name: &str, description: &str, images: Vec<String>| ProductCommand::CreateProduct {
        product_id: id(),
        sku: sku(),
        name: name.into(),
        description: description.into(),
        price: money(100, "USD"),
        category_id: None,
        images,
        at: at(0),
    };
    let cases = [
        (with("", "", vec![]), ProductError::InvalidName(ValueError::InvalidText { field: "name", max: 200 })),
        (
            with(&"n".repeat(201), "", vec![]),
            ProductError::InvalidName(ValueError::InvalidText { field: "name", max: 200 }),
        ),
        (with("Tee", &"d".repeat(5001), vec![]), ProductError::DescriptionTooLong { max: 5000 }),
        (with("Tee", "", vec![image(); 21]), ProductError::TooManyImages { count: 21, max: 20 }),
        (with("Tee", "", vec![image(), "ftp://x.com/a".into()]), ProductError::InvalidImageUrl { index: 1 }),
    ];
    for (command, error) in cases {
        given::<Product>(&[]).when(command).then_error(error);
    }
}

#[test]
fn creating_with_twenty_images_and_a_long_description_is_accepted() {
    let command = ProductCommand::CreateProduct {
        product_id: id(),
        sku: sku(),
        name: "n".repeat(200),
        description: "d".repeat(5000),
        price: money(0, "EUR"),
        category_id: None,
        images: vec![image(); 20],
        at: at(0),
    };
    assert!(Product::decide(&ProductState::default(), &command).is_ok());
}

#[test]
fn changing_details_replaces_name_description_and_images() {
    let expected = ProductEvent::ProductDetailsChanged(ProductDetailsChanged {
        product_id: id(),
        name: "Crimson tee".into(),
        description: String::new(),
        images: vec![],
        at: at(1),
    });
    let state = given::<Product>(&[created()]).when(change_details("Crimson tee", " ", vec![])).then(&[expected]);
    let product = state.product().unwrap();
    assert_eq!((product.name(), product.description(), product.images().len()), ("Crimson tee", "", 0));
}

#[test]
fn changing_details_to_the_same_details_is_a_no_op() {
    given::<Product>(&[created()]).when(change_details("Red tee", "Soft cotton.", vec![image()])).then(&[]);
}

#[test]
fn changing_details_to_invalid_ones_is_refused() {
    given::<Product>(&[created()])
        .when(change_details("Tee", "", vec!["not a url".into()]))
        .then_error(ProductError::InvalidImageUrl { index: 0 });
}

#[test]
fn changing_the_price_records_old_and_new() {
    let expected = ProductEvent::ProductPriceChanged(ProductPriceChanged {
        product_id: id(),
        previous_price: money(1999, "USD"),
        price: money(1499, "USD"),
        at: at(2),
    });
    let state = given::<Product>(&[created()]).when(change_price(money(1499, "USD"))).then(&[expected]);
    assert_eq!(state.product().unwrap().price(), money(1499, "USD"));
}

#[test]
fn an_unchanged_price_is_a_no_op() {
    given::<Product>(&[created()]).when(change_price(money(1999, "USD"))).then(&[]);
}

#[test]
fn changing_the_price_currency_is_refused() {
    given::<Product>(&[created()]).when(change_price(money(1999, "EUR"))).then_error(ProductError::CurrencyChange {
        from: Currency::parse("USD").unwrap(),
        to: Currency::parse("EUR").unwrap(),
    });
}

#[test]
fn assigning_a_category_lists_the_product_there() {
    let expected = ProductEvent::ProductCategoryAssigned(ProductCategoryAssigned {
        product_id: id(),
        category_id: category(2),
        at: at(3),
    });
    let state = given::<Product>(&[created()]).when(assign(category(2))).then(&[expected]);
    assert_eq!(state.product().unwrap().category_id(), Some(category(2)));
}

#[test]
fn assigning_the_current_category_is_a_no_op() {
    given::<Product>(&[created()]).when(assign(category(1))).then(&[]);
}

#[test]
fn discontinuing_freezes_the_product() {
    let state = given::<Product>(&[created()]).when(discontinue()).then(&[discontinued()]);
    assert_eq!(state.product().unwrap().discontinued_at(), Some(at(9)));
}

#[test]
fn discontinuing_again_is_a_no_op() {
    given::<Product>(&[created(), discontinued()]).when(discontinue()).then(&[]);
}

#[test]
fn a_discontinued_product_cannot_change() {
    let commands = [change_details("Other", "", vec![]), change_price(money(1, "USD")), assign(category(2))];
    for command in commands {
        given::<Product>(&[created(), discontinued()]).when(command).then_error(ProductError::Discontinued);
    }
}

#[test]
fn commands_to_a_missing_product_are_refused() {
    let commands =
        [change_details("Other", "", vec![]), change_price(money(1, "USD")), assign(category(2)), discontinue()];
    for command in commands {
        given::<Product>(&[]).when(command).then_error(ProductError::NotFound);
    }
}

#[test]
fn the_stream_id_is_the_category_and_the_id() {
    assert_eq!(Product::stream_id(&id()), format!("product-{}", id()));
    assert_eq!(discontinue().product_id(), id());
}

#[test]
fn events_serialize_with_their_type_as_tag_and_round_trip() {
    let events = [
        created(),
        ProductEvent::ProductDetailsChanged(ProductDetailsChanged {
            product_id: id(),
            name: "A".into(),
            description: String::new(),
            images: vec![],
            at: at(1),
        }),
        ProductEvent::ProductPriceChanged(ProductPriceChanged {
            product_id: id(),
            previous_price: money(1, "USD"),
            price: money(2, "USD"),
            at: at(2),
        }),
        ProductEvent::ProductCategoryAssigned(ProductCategoryAssigned {
            product_id: id(),
            category_id: category(2),
            at: at(3),
        }),
        discontinued(),
    ];
    for event in events {
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["event_type"], event.event_type());
        assert_eq!(json["data"]["product_id"], id().to_string());
        assert_eq!(event.product_id(), id());
        assert_eq!(serde_json::from_value::<ProductEvent>(json).unwrap(), event);
    }
}

#[test]
fn error_codes_are_stable_and_namespaced() {
    let usd = Currency::parse("USD").unwrap();
    let errors = [
        (ProductError::AlreadyExists, "product.already_exists"),
        (ProductError::NotFound, "product.not_found"),
        (ProductError::Discontinued, "product.discontinued"),
        (ProductError::CurrencyChange { from: usd, to: usd }, "product.currency_change"),
        (ProductError::InvalidName(ValueError::InvalidEmail), "product.invalid_name"),
        (ProductError::DescriptionTooLong { max: 1 }, "product.description_too_long"),
        (ProductError::TooManyImages { count: 2, max: 1 }, "product.too_many_images"),
        (ProductError::InvalidImageUrl { index: 0 }, "product.invalid_image_url"),
    ];
    for (error, code) in errors {
        assert_eq!(error.code(), code);
    }
}

#[cfg(feature = "schema")]
#[test]
fn every_event_type_has_a_json_schema() {
    let schema = serde_json::to_string(&schemars::schema_for!(ProductEvent)).unwrap();
    for event_type in [
        "ProductCreated",
        "ProductDetailsChanged",
        "ProductPriceChanged",
        "ProductCategoryAssigned",
        "ProductDiscontinued",
    ] {
        assert!(schema.contains(event_type), "{event_type} missing from the schema");
    }
}
