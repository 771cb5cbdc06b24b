//! What the catalog read endpoints answer: products and categories, built from the
//! catalog read model's documents ([`ProductDoc`], [`CategoryDoc`]).

use emporium_api_kit::ApiError;
use emporium_projections::models::catalog::{CATEGORIES, CategoryDoc, PRODUCTS, ProductDoc};
use emporium_projections::models::timestamp;
use serde::Serialize;
use serde_json::Value;

use crate::document;
use emporium_api_kit::MoneyView;

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

impl ProductView {
    /// The view of a `products` document.
    pub fn from_doc(doc: Value) -> Result<Self, ApiError> {
        let d: ProductDoc = document::parse(PRODUCTS, doc)?;
        Ok(Self {
            id: d.id,
            sku: d.sku,
            name: d.name,
            description: d.description,
            price: MoneyView::from(&d.price),
            category: d.category_id.clone(),
            category_id: d.category_id,
            category_name: d.category_name,
            images: d.images,
            stock: d.stock,
            in_stock: d.stock > 0,
            discontinued: d.discontinued,
            created_at: timestamp(d.created_at),
            updated_at: timestamp(d.updated_at),
        })
    }
}

/// A category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CategoryView {
    /// The category's id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The parent category's id, or null for a top-level one.
    pub parent_id: Option<String>,
    // The timestamps are optional in the published OpenAPI document; they stay so.
    /// When it was created (RFC 3339, UTC).
    #[schema(required = false)]
    pub created_at: String,
    /// When it last changed (RFC 3339, UTC).
    #[schema(required = false)]
    pub updated_at: String,
}

impl CategoryView {
    /// The view of a `categories` document.
    pub fn from_doc(doc: Value) -> Result<Self, ApiError> {
        let d: CategoryDoc = document::parse(CATEGORIES, doc)?;
        Ok(Self {
            id: d.id,
            name: d.name,
            parent_id: d.parent_id,
            created_at: timestamp(d.created_at),
            updated_at: timestamp(d.updated_at),
        })
    }
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
    fn a_category_document_becomes_a_view() {
        let doc = json!({
            "id": "c2", "name": "Tops", "parent_id": "c1",
            "created_at": "2024-01-01T00:00:00.000000Z", "updated_at": "2024-01-02T00:00:00.000000Z"
        });
        let view = CategoryView::from_doc(doc).unwrap();
        assert_eq!((view.name.as_str(), view.parent_id.as_deref()), ("Tops", Some("c1")));
        assert_eq!(view.updated_at, "2024-01-02T00:00:00.000000Z");
    }
}
