//! Catalog products: details, price, category, and discontinuation.
//!
//! SKU uniqueness across products and the category's existence are checked by the
//! caller against read models before the command; a product's stream knows only
//! itself. A discontinued product is frozen: it can no longer change. Layout:
//! - [`ProductCommand`], [`ProductEvent`], [`ProductError`]: what is asked, what
//!   happened, why it was refused;
//! - [`ProductState`] and [`ProductRecord`]: what a product remembers;
//! - `details`: the checks on name, description and image URLs;
//! - `decide` holds the rules, `evolve` folds the facts.

mod command;
mod decide;
mod details;
mod error;
mod event;
mod evolve;
mod state;

#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;

pub use command::ProductCommand;
pub use details::{MAX_DESCRIPTION_CHARS, MAX_IMAGE_URL_CHARS, MAX_IMAGES, MAX_NAME_CHARS};
pub use error::ProductError;
pub use event::{
    ProductCategoryAssigned, ProductCreated, ProductDetailsChanged, ProductDiscontinued, ProductEvent,
    ProductPriceChanged,
};
pub use state::{ProductRecord, ProductState};

use crate::decider::Decider;
use crate::ids::ProductId;

/// The product aggregate: one catalog product as a decider.
pub struct Product;

impl Product {
    /// The stream holding a product, `product-<id>`.
    pub fn stream_id(id: &ProductId) -> String {
        format!("{}-{}", Self::CATEGORY, id)
    }
}

impl Decider for Product {
    const CATEGORY: &'static str = "product";
    type State = ProductState;
    type Command = ProductCommand;
    type Event = ProductEvent;
    type Error = ProductError;

    fn decide(state: &Self::State, command: &Self::Command) -> Result<Vec<Self::Event>, Self::Error> {
        decide::decide(state, command)
    }

    fn evolve(state: Self::State, event: &Self::Event) -> Self::State {
        evolve::evolve(state, event)
    }
}
