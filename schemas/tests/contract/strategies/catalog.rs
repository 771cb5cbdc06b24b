//! Category and product events.

use emporium_domain::category::{CategoryCreated, CategoryEvent, CategoryRenamed};
use emporium_domain::product::{
    ProductCategoryAssigned, ProductCreated, ProductDetailsChanged, ProductDiscontinued, ProductEvent,
    ProductPriceChanged,
};
use proptest::collection::vec;
use proptest::prelude::*;

use super::values::*;

/// Any category event.
pub fn category_events() -> impl Strategy<Value = CategoryEvent> {
    prop_oneof![
        (category_id(), short_text(), proptest::option::of(category_id()), instant()).prop_map(
            |(category_id, name, parent_id, at)| CategoryEvent::CategoryCreated(CategoryCreated {
                category_id,
                name,
                parent_id,
                at
            })
        ),
        (category_id(), short_text(), instant()).prop_map(|(category_id, name, at)| CategoryEvent::CategoryRenamed(
            CategoryRenamed { category_id, name, at }
        )),
    ]
}

/// An image URL.
fn image() -> impl Strategy<Value = String> {
    "https?://[a-z0-9.-]{1,20}/[a-z0-9/._-]{0,30}"
}

/// A description, possibly empty.
fn description() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), text(200)]
}

/// Any product event.
pub fn product_events() -> impl Strategy<Value = ProductEvent> {
    prop_oneof![
        (
            product_id(),
            sku(),
            short_text(),
            description(),
            money(),
            proptest::option::of(category_id()),
            vec(image(), 0..4),
            instant()
        )
            .prop_map(|(product_id, sku, name, description, price, category_id, images, at)| {
                ProductEvent::ProductCreated(ProductCreated {
                    product_id,
                    sku,
                    name,
                    description,
                    price,
                    category_id,
                    images,
                    at,
                })
            }),
        (product_id(), short_text(), description(), vec(image(), 0..4), instant()).prop_map(
            |(product_id, name, description, images, at)| {
                ProductEvent::ProductDetailsChanged(ProductDetailsChanged { product_id, name, description, images, at })
            }
        ),
        (product_id(), currency().prop_flat_map(|c| (money_in(c), money_in(c))), instant()).prop_map(
            |(product_id, (previous_price, price), at)| {
                ProductEvent::ProductPriceChanged(ProductPriceChanged { product_id, previous_price, price, at })
            }
        ),
        (product_id(), category_id(), instant()).prop_map(|(product_id, category_id, at)| {
            ProductEvent::ProductCategoryAssigned(ProductCategoryAssigned { product_id, category_id, at })
        }),
        (product_id(), instant())
            .prop_map(|(product_id, at)| ProductEvent::ProductDiscontinued(ProductDiscontinued { product_id, at })),
    ]
}
