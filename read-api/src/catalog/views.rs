//! What the catalog read endpoints answer: products, categories and pages of them,
//! built from the catalog read model's documents.

use emporium_api_kit::ApiError;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::params::Paging;

/// Money as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MoneyView {
    /// Minor units (cents).
    pub amount: i64,
    /// ISO 4217 code.
    pub currency: String,
}

/// A product as shoppers see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ProductView {
    /// The product's id.
    pub id: String,
    /// Stock-keeping unit.
    pub sku: String,
    /// Display name.
    pub name: String,
    /// Description; may be empty.
    pub description: String,
    /// Unit price.
    pub price: MoneyView,
    /// The id of the category it is listed in, or null.
    pub category: Option<String>,
    /// The same id, under its read-model name.
    pub category_id: Option<String>,
    /// The category's name, or null.
    pub category_name: Option<String>,
    /// Image URLs in display order.
    pub images: Vec<String>,
    /// Units available to sell: received, minus reserved for orders, minus sold.
    pub stock: u64,
    /// Whether `stock` is above zero.
    pub in_stock: bool,
    /// True once discontinued: no longer listed or sold.
    pub discontinued: bool,
    /// When it was created (RFC 3339, UTC).
    pub created_at: String,
    /// When it last changed (RFC 3339, UTC).
    pub updated_at: String,
}

/// The `products` document as the catalog projector writes it.
#[derive(Debug, Deserialize)]
struct ProductDoc {
    id: String,
    sku: String,
    name: String,
    #[serde(default)]
    description: String,
    price: MoneyView,
    #[serde(default)]
    category_id: Option<String>,
    #[serde(default)]
    category_name: Option<String>,
    #[serde(default)]
    images: Vec<String>,
    #[serde(default)]
    stock: u64,
    #[serde(default)]
    discontinued: bool,
    #[serde(default)]
    created_at: String,
    #[serde(default)]
    updated_at: String,
}

impl ProductView {
    /// The view of a `products` document.
    pub fn from_doc(doc: Value) -> Result<Self, ApiError> {
        let d: ProductDoc = document("products", doc)?;
        Ok(Self {
            id: d.id,
            sku: d.sku,
            name: d.name,
            description: d.description,
            price: d.price,
            category: d.category_id.clone(),
            category_id: d.category_id,
            category_name: d.category_name,
            images: d.images,
            stock: d.stock,
            in_stock: d.stock > 0,
            discontinued: d.discontinued,
            created_at: d.created_at,
            updated_at: d.updated_at,
        })
    }
}

/// A category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CategoryView {
    /// The category's id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The parent category's id, or null for a top-level one.
    #[serde(default)]
    pub parent_id: Option<String>,
    /// When it was created (RFC 3339, UTC).
    #[serde(default)]
    pub created_at: String,
    /// When it last changed (RFC 3339, UTC).
    #[serde(default)]
    pub updated_at: String,
}

impl CategoryView {
    /// The view of a `categories` document.
    pub fn from_doc(doc: Value) -> Result<Self, ApiError> {
        document("categories", doc)
    }
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Listing<T> {
    /// This page's items.
    pub items: Vec<T>,
    /// How many items match in all.
    pub total: u64,
    /// This page's number, from 1.
    pub page: u64,
    /// The page size asked for.
    pub page_size: u64,
    /// How many pages there are (0 when nothing matches).
    pub total_pages: u64,
}

impl<T> Listing<T> {
    /// A page of `items` out of `total`.
    pub fn new(items: Vec<T>, total: u64, paging: Paging) -> Self {
        Self {
            items,
            total,
            page: paging.page,
            page_size: paging.page_size,
            total_pages: total.div_ceil(paging.page_size),
        }
    }
}

/// A stored document as its typed shape; a mismatch is our fault, so a logged 500.
fn document<T: DeserializeOwned>(collection: &str, doc: Value) -> Result<T, ApiError> {
    serde_json::from_value(doc).map_err(|error| {
        tracing::error!(collection, %error, "read-model document has an unexpected shape");
        ApiError::internal(&error)
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_product_document_becomes_a_view_with_category_and_stock() {
        let doc = json!({
            "id": "p1", "sku": "TEE", "name": "Tee", "description": "", "price": {"amount": 1500, "currency": "USD"},
            "category_id": "c1", "category_name": "Shirts", "images": [], "discontinued": false, "stock": 3, "in_stock": true,
            "created_at": "2024-01-01T00:00:00.000000Z", "updated_at": "2024-01-01T00:00:00.000000Z"
        });
        let view = ProductView::from_doc(doc).unwrap();
        assert_eq!(view.category.as_deref(), Some("c1"));
        assert_eq!(view.category_name.as_deref(), Some("Shirts"));
        assert_eq!((view.stock, view.in_stock), (3, true));
        assert_eq!(view.price, MoneyView { amount: 1500, currency: "USD".into() });
    }

    #[test]
    fn pages_are_counted() {
        let listing = Listing::new(vec![1, 2], 41, Paging { page: 1, page_size: 20 });
        assert_eq!(listing.total_pages, 3);
        assert_eq!(Listing::<u8>::new(vec![], 0, Paging { page: 1, page_size: 20 }).total_pages, 0);
    }
}
