//! The facts recorded about a product.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::event::DomainEvent;
use crate::ids::{CategoryId, ProductId};
use crate::money::Money;
use crate::values::Sku;

/// Something that happened to a product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "event_type", content = "data")]
pub enum ProductEvent {
    /// The product was added to the catalog.
    ProductCreated(ProductCreated),
    /// Name, description or images changed.
    ProductDetailsChanged(ProductDetailsChanged),
    /// The unit price changed.
    ProductPriceChanged(ProductPriceChanged),
    /// The product was listed in a category.
    ProductCategoryAssigned(ProductCategoryAssigned),
    /// The product was discontinued for good.
    ProductDiscontinued(ProductDiscontinued),
}

/// A product was added to the catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProductCreated {
    /// The product.
    pub product_id: ProductId,
    /// Its stock-keeping unit.
    pub sku: Sku,
    /// Display name, trimmed.
    pub name: String,
    /// Description, trimmed; may be empty.
    pub description: String,
    /// Unit price.
    pub price: Money,
    /// The category it is listed in, if any.
    pub category_id: Option<CategoryId>,
    /// Image URLs, in display order.
    pub images: Vec<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// A product's name, description and images were replaced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProductDetailsChanged {
    /// The product.
    pub product_id: ProductId,
    /// Display name, trimmed.
    pub name: String,
    /// Description, trimmed; may be empty.
    pub description: String,
    /// Image URLs, in display order.
    pub images: Vec<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// A product's unit price changed (same currency).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProductPriceChanged {
    /// The product.
    pub product_id: ProductId,
    /// The price before.
    pub previous_price: Money,
    /// The price from now on.
    pub price: Money,
    /// When.
    pub at: DateTime<Utc>,
}

/// A product was listed in a category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProductCategoryAssigned {
    /// The product.
    pub product_id: ProductId,
    /// The category.
    pub category_id: CategoryId,
    /// When.
    pub at: DateTime<Utc>,
}

/// A product was discontinued; it can no longer be changed or sold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProductDiscontinued {
    /// The product.
    pub product_id: ProductId,
    /// When.
    pub at: DateTime<Utc>,
}

impl ProductEvent {
    /// The product whose stream holds this event.
    pub fn product_id(&self) -> ProductId {
        match self {
            Self::ProductCreated(e) => e.product_id,
            Self::ProductDetailsChanged(e) => e.product_id,
            Self::ProductPriceChanged(e) => e.product_id,
            Self::ProductCategoryAssigned(e) => e.product_id,
            Self::ProductDiscontinued(e) => e.product_id,
        }
    }

    /// When it happened.
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            Self::ProductCreated(e) => e.at,
            Self::ProductDetailsChanged(e) => e.at,
            Self::ProductPriceChanged(e) => e.at,
            Self::ProductCategoryAssigned(e) => e.at,
            Self::ProductDiscontinued(e) => e.at,
        }
    }
}

impl DomainEvent for ProductEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::ProductCreated(_) => "ProductCreated",
            Self::ProductDetailsChanged(_) => "ProductDetailsChanged",
            Self::ProductPriceChanged(_) => "ProductPriceChanged",
            Self::ProductCategoryAssigned(_) => "ProductCategoryAssigned",
            Self::ProductDiscontinued(_) => "ProductDiscontinued",
        }
    }
}
