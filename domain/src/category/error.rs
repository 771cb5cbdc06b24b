//! Why a category command was refused.

use crate::values::ValueError;

/// A refused category command; [`CategoryError::code`] gives its stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CategoryError {
    /// The category was created before.
    #[error("category already exists")]
    AlreadyExists,
    /// No category has been created in this stream.
    #[error("category not found")]
    NotFound,
    /// A category cannot sit under itself.
    #[error("a category cannot be its own parent")]
    OwnParent,
    /// The name is empty or longer than 100 characters.
    #[error("invalid name: {0}")]
    InvalidName(ValueError),
}

impl CategoryError {
    /// The stable, documented code of this refusal.
    pub fn code(&self) -> &'static str {
        match self {
            Self::AlreadyExists => "category.already_exists",
            Self::NotFound => "category.not_found",
            Self::OwnParent => "category.own_parent",
            Self::InvalidName(_) => "category.invalid_name",
        }
    }
}
