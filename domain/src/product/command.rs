//! What callers ask of a product.

use chrono::{DateTime, Utc};

use crate::ids::{CategoryId, ProductId};
use crate::money::Money;
use crate::values::Sku;

/// A request to change one product; `product_id` names the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProductCommand {
    /// Add a product to the catalog; the caller has checked the SKU is not taken.
    CreateProduct {
        /// The new product's id.
        product_id: ProductId,
        /// Its stock-keeping unit (and inventory stream key).
        sku: Sku,
        /// Display name, 1-200 characters.
        name: String,
        /// Description, at most 5000 characters; may be empty.
        description: String,
        /// Unit price; its currency is fixed for the product's life.
        price: Money,
        /// The category it is listed in, if any.
        category_id: Option<CategoryId>,
        /// Up to 20 http(s) image URLs.
        images: Vec<String>,
        /// When.
        at: DateTime<Utc>,
    },
    /// Replace name, description and images; unchanged details are a no-op.
    ChangeDetails {
        /// The product.
        product_id: ProductId,
        /// Display name, 1-200 characters.
        name: String,
        /// Description, at most 5000 characters; may be empty.
        description: String,
        /// Up to 20 http(s) image URLs.
        images: Vec<String>,
        /// When.
        at: DateTime<Utc>,
    },
    /// Set a new unit price in the same currency; an unchanged price is a no-op.
    ChangePrice {
        /// The product.
        product_id: ProductId,
        /// The new unit price.
        price: Money,
        /// When.
        at: DateTime<Utc>,
    },
    /// List the product in a category; the current category again is a no-op.
    AssignCategory {
        /// The product.
        product_id: ProductId,
        /// The category, which the caller has checked exists.
        category_id: CategoryId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Stop selling the product for good; discontinuing again is a no-op.
    Discontinue {
        /// The product.
        product_id: ProductId,
        /// When.
        at: DateTime<Utc>,
    },
}

impl ProductCommand {
    /// The product this command is for, which names its stream.
    pub fn product_id(&self) -> ProductId {
        match self {
            Self::CreateProduct { product_id, .. }
            | Self::ChangeDetails { product_id, .. }
            | Self::ChangePrice { product_id, .. }
            | Self::AssignCategory { product_id, .. }
            | Self::Discontinue { product_id, .. } => *product_id,
        }
    }
}
