//! Why a product command was refused.

use crate::money::Currency;
use crate::values::ValueError;

/// A refused product command; [`ProductError::code`] gives its stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProductError {
    /// The product was created before.
    #[error("product already exists")]
    AlreadyExists,
    /// No product has been created in this stream.
    #[error("product not found")]
    NotFound,
    /// The product is discontinued and can no longer change.
    #[error("product is discontinued")]
    Discontinued,
    /// A new price must keep the product's currency.
    #[error("price currency cannot change from {from} to {to}")]
    CurrencyChange {
        /// The product's currency.
        from: Currency,
        /// The refused currency.
        to: Currency,
    },
    /// The name is empty or longer than 200 characters.
    #[error("invalid name: {0}")]
    InvalidName(ValueError),
    /// The description is longer than allowed.
    #[error("description must be at most {max} characters")]
    DescriptionTooLong {
        /// The limit in characters.
        max: usize,
    },
    /// More images than allowed.
    #[error("{count} images given, at most {max} allowed")]
    TooManyImages {
        /// Images given.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// An image is not an absolute http(s) URL of at most 2048 characters.
    #[error("image {index} is not a valid http(s) URL")]
    InvalidImageUrl {
        /// Its position in the list, from 0.
        index: usize,
    },
}

impl ProductError {
    /// The stable, documented code of this refusal.
    pub fn code(&self) -> &'static str {
        match self {
            Self::AlreadyExists => "product.already_exists",
            Self::NotFound => "product.not_found",
            Self::Discontinued => "product.discontinued",
            Self::CurrencyChange { .. } => "product.currency_change",
            Self::InvalidName(_) => "product.invalid_name",
            Self::DescriptionTooLong { .. } => "product.description_too_long",
            Self::TooManyImages { .. } => "product.too_many_images",
            Self::InvalidImageUrl { .. } => "product.invalid_image_url",
        }
    }
}
