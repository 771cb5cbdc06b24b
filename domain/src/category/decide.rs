//! The category rules.

use super::command::CategoryCommand;
use super::error::CategoryError;
use super::event::{CategoryCreated, CategoryEvent, CategoryRenamed};
use super::state::CategoryState;
use crate::values::bounded_text;

/// Longest category name accepted.
const MAX_NAME_CHARS: usize = 100;

/// Checks a command against the category and returns the events it causes.
pub(super) fn decide(state: &CategoryState, command: &CategoryCommand) -> Result<Vec<CategoryEvent>, CategoryError> {
    match command {
        CategoryCommand::CreateCategory { category_id, name, parent_id, at } => {
            if state.exists() {
                return Err(CategoryError::AlreadyExists);
            }
            if *parent_id == Some(*category_id) {
                return Err(CategoryError::OwnParent);
            }
            Ok(vec![CategoryEvent::CategoryCreated(CategoryCreated {
                category_id: *category_id,
                name: valid_name(name)?,
                parent_id: *parent_id,
                at: *at,
            })])
        }
        CategoryCommand::RenameCategory { category_id, name, at } => {
            let category = state.category().ok_or(CategoryError::NotFound)?;
            let name = valid_name(name)?;
            if name == category.name() {
                return Ok(vec![]);
            }
            Ok(vec![CategoryEvent::CategoryRenamed(CategoryRenamed { category_id: *category_id, name, at: *at })])
        }
    }
}

fn valid_name(raw: &str) -> Result<String, CategoryError> {
    bounded_text("name", raw, MAX_NAME_CHARS).map_err(CategoryError::InvalidName)
}
