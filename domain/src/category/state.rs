//! What a category's stream remembers.

use chrono::{DateTime, Utc};

use crate::ids::CategoryId;

/// A category's stream: `None` until the category is created.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CategoryState {
    /// The category, once created.
    pub(super) category: Option<CategoryRecord>,
}

impl CategoryState {
    /// The category, or `None` before it is created.
    pub fn category(&self) -> Option<&CategoryRecord> {
        self.category.as_ref()
    }

    /// True once the category exists.
    pub fn exists(&self) -> bool {
        self.category.is_some()
    }
}

/// A created category.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryRecord {
    pub(super) id: CategoryId,
    pub(super) name: String,
    pub(super) parent_id: Option<CategoryId>,
    pub(super) created_at: DateTime<Utc>,
}

impl CategoryRecord {
    /// The category's id.
    pub fn id(&self) -> CategoryId {
        self.id
    }

    /// Display name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The category it sits under, if any.
    pub fn parent_id(&self) -> Option<CategoryId> {
        self.parent_id
    }

    /// When it was created.
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
}
