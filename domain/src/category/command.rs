//! What callers ask of a category.

use chrono::{DateTime, Utc};

use crate::ids::CategoryId;

/// A request to change one category; `category_id` names the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CategoryCommand {
    /// Create a category; the caller has checked that `parent_id`, if any, exists.
    CreateCategory {
        /// The new category's id.
        category_id: CategoryId,
        /// Display name, 1-100 characters.
        name: String,
        /// The category it sits under, if any.
        parent_id: Option<CategoryId>,
        /// When.
        at: DateTime<Utc>,
    },
    /// Give a category a new name; the same name again is a no-op.
    RenameCategory {
        /// The category.
        category_id: CategoryId,
        /// Display name, 1-100 characters.
        name: String,
        /// When.
        at: DateTime<Utc>,
    },
}

impl CategoryCommand {
    /// The category this command is for, which names its stream.
    pub fn category_id(&self) -> CategoryId {
        match self {
            Self::CreateCategory { category_id, .. } | Self::RenameCategory { category_id, .. } => *category_id,
        }
    }
}
