//! What a product's stream remembers.

use chrono::{DateTime, Utc};

use crate::ids::{CategoryId, ProductId};
use crate::money::Money;
use crate::values::Sku;

/// A product's stream: `None` until the product is created.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProductState {
    /// The product, once created.
    pub(super) product: Option<ProductRecord>,
}

impl ProductState {
    /// The product, or `None` before it is created.
    pub fn product(&self) -> Option<&ProductRecord> {
        self.product.as_ref()
    }

    /// True once the product exists.
    pub fn exists(&self) -> bool {
        self.product.is_some()
    }
}

/// A created product.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductRecord {
    pub(super) id: ProductId,
    pub(super) sku: Sku,
    pub(super) name: String,
    pub(super) description: String,
    pub(super) price: Money,
    pub(super) category_id: Option<CategoryId>,
    pub(super) images: Vec<String>,
    pub(super) created_at: DateTime<Utc>,
    pub(super) discontinued_at: Option<DateTime<Utc>>,
}

impl ProductRecord {
    /// The product's id.
    pub fn id(&self) -> ProductId {
        self.id
    }

    /// Its stock-keeping unit.
    pub fn sku(&self) -> &Sku {
        &self.sku
    }

    /// Display name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Description; may be empty.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// Current unit price.
    pub fn price(&self) -> Money {
        self.price
    }

    /// The category it is listed in, if any.
    pub fn category_id(&self) -> Option<CategoryId> {
        self.category_id
    }

    /// Image URLs, in display order.
    pub fn images(&self) -> &[String] {
        &self.images
    }

    /// When it was created.
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }

    /// When it was discontinued, if it was.
    pub fn discontinued_at(&self) -> Option<DateTime<Utc>> {
        self.discontinued_at
    }

    /// True once discontinued: it can no longer change or be sold.
    pub fn is_discontinued(&self) -> bool {
        self.discontinued_at.is_some()
    }
}
