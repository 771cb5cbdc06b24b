//! The facts recorded about a category.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::event::DomainEvent;
use crate::ids::CategoryId;

/// Something that happened to a category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "event_type", content = "data")]
pub enum CategoryEvent {
    /// The category was created.
    CategoryCreated(CategoryCreated),
    /// The category was renamed.
    CategoryRenamed(CategoryRenamed),
}

/// A category was created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CategoryCreated {
    /// The category.
    pub category_id: CategoryId,
    /// Display name, trimmed.
    pub name: String,
    /// The category it sits under, if any.
    pub parent_id: Option<CategoryId>,
    /// When.
    pub at: DateTime<Utc>,
}

/// A category was renamed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CategoryRenamed {
    /// The category.
    pub category_id: CategoryId,
    /// The new display name, trimmed.
    pub name: String,
    /// When.
    pub at: DateTime<Utc>,
}

impl CategoryEvent {
    /// The category whose stream holds this event.
    pub fn category_id(&self) -> CategoryId {
        match self {
            Self::CategoryCreated(e) => e.category_id,
            Self::CategoryRenamed(e) => e.category_id,
        }
    }

    /// When it happened.
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            Self::CategoryCreated(e) => e.at,
            Self::CategoryRenamed(e) => e.at,
        }
    }
}

impl DomainEvent for CategoryEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::CategoryCreated(_) => "CategoryCreated",
            Self::CategoryRenamed(_) => "CategoryRenamed",
        }
    }
}
