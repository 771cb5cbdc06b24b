//! Catalog categories: a named node, optionally under a parent category.
//!
//! The parent's existence (and the absence of cycles deeper than one level) is
//! checked by the caller against the category read model before `CreateCategory`;
//! a category's stream knows only itself. Layout:
//! - [`CategoryCommand`], [`CategoryEvent`], [`CategoryError`]: what is asked, what
//!   happened, why it was refused;
//! - [`CategoryState`] and [`CategoryRecord`]: what a category remembers;
//! - `decide` holds the rules, `evolve` folds the facts.

mod command;
mod decide;
mod error;
mod event;
mod evolve;
mod state;

#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;

pub use command::CategoryCommand;
pub use error::CategoryError;
pub use event::{CategoryCreated, CategoryEvent, CategoryRenamed};
pub use state::{CategoryRecord, CategoryState};

use crate::decider::Decider;
use crate::ids::CategoryId;

/// The category aggregate: one catalog category as a decider.
pub struct Category;

impl Category {
    /// The stream holding a category, `category-<id>`.
    pub fn stream_id(id: &CategoryId) -> String {
        format!("{}-{}", Self::CATEGORY, id)
    }
}

impl Decider for Category {
    const CATEGORY: &'static str = "category";
    type State = CategoryState;
    type Command = CategoryCommand;
    type Event = CategoryEvent;
    type Error = CategoryError;

    fn decide(state: &Self::State, command: &Self::Command) -> Result<Vec<Self::Event>, Self::Error> {
        decide::decide(state, command)
    }

    fn evolve(state: Self::State, event: &Self::Event) -> Self::State {
        evolve::evolve(state, event)
    }
}
