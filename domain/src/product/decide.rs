//! The product rules: what each command may do given the product's state.

use super::command::ProductCommand;
use super::details::Details;
use super::error::ProductError;
use super::event::{
    ProductCategoryAssigned, ProductCreated, ProductDetailsChanged, ProductDiscontinued, ProductEvent,
    ProductPriceChanged,
};
use super::state::{ProductRecord, ProductState};

/// Checks a command against the product and returns the events it causes.
pub(super) fn decide(state: &ProductState, command: &ProductCommand) -> Result<Vec<ProductEvent>, ProductError> {
    match command {
        ProductCommand::CreateProduct { product_id, sku, name, description, price, category_id, images, at } => {
            if state.exists() {
                return Err(ProductError::AlreadyExists);
            }
            let details = Details::parse(name, description, images)?;
            Ok(vec![ProductEvent::ProductCreated(ProductCreated {
                product_id: *product_id,
                sku: sku.clone(),
                name: details.name,
                description: details.description,
                price: *price,
                category_id: *category_id,
                images: details.images,
                at: *at,
            })])
        }
        ProductCommand::ChangeDetails { product_id, name, description, images, at } => {
            let product = changeable(state)?;
            let details = Details::parse(name, description, images)?;
            if details.name == product.name()
                && details.description == product.description()
                && details.images == product.images()
            {
                return Ok(vec![]);
            }
            Ok(vec![ProductEvent::ProductDetailsChanged(ProductDetailsChanged {
                product_id: *product_id,
                name: details.name,
                description: details.description,
                images: details.images,
                at: *at,
            })])
        }
        ProductCommand::ChangePrice { product_id, price, at } => {
            let product = changeable(state)?;
            let previous_price = product.price();
            if price.currency() != previous_price.currency() {
                return Err(ProductError::CurrencyChange { from: previous_price.currency(), to: price.currency() });
            }
            if *price == previous_price {
                return Ok(vec![]);
            }
            Ok(vec![ProductEvent::ProductPriceChanged(ProductPriceChanged {
                product_id: *product_id,
                previous_price,
                price: *price,
                at: *at,
            })])
        }
        ProductCommand::AssignCategory { product_id, category_id, at } => {
            if changeable(state)?.category_id() == Some(*category_id) {
                return Ok(vec![]);
            }
            Ok(vec![ProductEvent::ProductCategoryAssigned(ProductCategoryAssigned {
                product_id: *product_id,
                category_id: *category_id,
                at: *at,
            })])
        }
        ProductCommand::Discontinue { product_id, at } => {
            if state.product().ok_or(ProductError::NotFound)?.is_discontinued() {
                return Ok(vec![]);
            }
            Ok(vec![ProductEvent::ProductDiscontinued(ProductDiscontinued { product_id: *product_id, at: *at })])
        }
    }
}

/// The product, if it exists and is not discontinued.
fn changeable(state: &ProductState) -> Result<&ProductRecord, ProductError> {
    let product = state.product().ok_or(ProductError::NotFound)?;
    if product.is_discontinued() { Err(ProductError::Discontinued) } else { Ok(product) }
}
