//! Folds a category fact into the state; never fails, never validates.

use super::event::CategoryEvent;
use super::state::{CategoryRecord, CategoryState};

/// Applies one event. A rename of a category never created is ignored.
pub(super) fn evolve(mut state: CategoryState, event: &CategoryEvent) -> CategoryState {
    match event {
        CategoryEvent::CategoryCreated(e) => {
            state.category = Some(CategoryRecord {
                id: e.category_id,
                name: e.name.clone(),
                parent_id: e.parent_id,
                created_at: e.at,
            });
        }
        CategoryEvent::CategoryRenamed(e) => {
            if let Some(category) = state.category.as_mut() {
                category.name = e.name.clone();
            }
        }
    }
    state
}
