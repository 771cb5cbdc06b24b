//! The catalog read model: what the storefront lists.
//!
//! - `products` (key: product id): `id`, `sku`, `name`, `description`, `price`,
//!   `category_id`, `category_name`, `images`, `discontinued`, `stock` (units
//!   available), `in_stock`, `created_at`, `updated_at`;
//! - `categories` (key: category id): `id`, `name`, `parent_id`, `created_at`,
//!   `updated_at`;
//! - `catalog_stock` (key: SKU, internal): `id`, `sku`, `available`, so a product
//!   created after its stock arrived starts with the right `stock`, and
//!   `product_ids`, the products of the SKU, so a stock change finds them by key
//!   (one lookup per product) rather than by a query over all products per event.
//!
//! The projector owns its stock copy rather than reading the `inventory` model,
//! because another projector's documents may be at a different position.

use async_trait::async_trait;
use emporium_domain::Decider;
use emporium_domain::category::{Category, CategoryEvent};
use emporium_domain::inventory::{Inventory, InventoryEvent};
use emporium_domain::product::{Product, ProductEvent};
use emporium_infra::event_store::RecordedEvent;
use emporium_infra::read_store::DocWrite;
use serde_json::{Value, json};

use super::inventory::levels;
use super::render::{modify, money, timestamp};
use crate::{Documents, ProjectionError, Projector, decode};

/// Products, one document each.
pub const PRODUCTS: &str = "products";
/// Categories, one document each.
pub const CATEGORIES: &str = "categories";
/// Units available per SKU, kept for products created later.
pub const CATALOG_STOCK: &str = "catalog_stock";

/// Projects products, categories and stock into the storefront catalog.
#[derive(Debug, Clone, Copy, Default)]
pub struct CatalogProjector;

#[async_trait]
impl Projector for CatalogProjector {
    fn name(&self) -> &'static str {
        "catalog"
    }

    fn collections(&self) -> &'static [&'static str] {
        &[PRODUCTS, CATEGORIES, CATALOG_STOCK]
    }

    async fn project(&self, event: &RecordedEvent, docs: &Documents) -> Result<Vec<DocWrite>, ProjectionError> {
        match event.category() {
            Product::CATEGORY => product(decode(event)?, docs).await,
            Category::CATEGORY => category(decode(event)?, docs).await,
            Inventory::CATEGORY => stock(decode(event)?, docs).await,
            _ => Ok(Vec::new()),
        }
    }
}

async fn product(event: ProductEvent, docs: &Documents) -> Result<Vec<DocWrite>, ProjectionError> {
    let id = event.product_id().to_string();
    let at = timestamp(event.at());
    let mut writes = Vec::new();
    let write = match event {
        ProductEvent::ProductCreated(e) => {
            let category_id = e.category_id.map(|c| c.to_string());
            let category_name = match &category_id {
                Some(c) => category_name(docs, c).await?,
                None => Value::Null,
            };
            let stored = docs.get(CATALOG_STOCK, e.sku.as_str()).await?;
            let stock = stored.as_ref().and_then(|s| s.get("available").and_then(Value::as_u64)).unwrap_or(0);
            let mut sku = stored.unwrap_or_else(
                || json!({"id": e.sku.as_str(), "sku": e.sku.as_str(), "available": 0, "product_ids": []}),
            );
            if sku.get("product_ids").is_none() {
                // Written before `product_ids` existed: start from the store's products.
                let known = docs.find(PRODUCTS, "sku", e.sku.as_str()).await?;
                let ids = known.into_iter().map(|(id, _)| Value::String(id)).collect();
                if let Some(fields) = sku.as_object_mut() {
                    fields.insert("product_ids".into(), Value::Array(ids));
                }
            }
            if let Some(fields) = sku.as_object_mut() {
                let ids = fields.entry("product_ids").or_insert_with(|| Value::Array(Vec::new()));
                if let Some(ids) = ids.as_array_mut().filter(|ids| !ids.iter().any(|i| i.as_str() == Some(&id))) {
                    ids.push(Value::String(id.clone()));
                }
            }
            writes.push(DocWrite::put(CATALOG_STOCK, e.sku.as_str(), sku));
            Some(DocWrite::put(
                PRODUCTS,
                &id,
                json!({
                    "id": id,
                    "sku": e.sku.as_str(),
                    "name": e.name,
                    "description": e.description,
                    "price": money(&e.price),
                    "category_id": category_id,
                    "category_name": category_name,
                    "images": e.images,
                    "discontinued": false,
                    "stock": stock,
                    "in_stock": stock > 0,
                    "created_at": at,
                    "updated_at": at,
                }),
            ))
        }
        ProductEvent::ProductDetailsChanged(e) => {
            modify(docs, PRODUCTS, &id, |p| {
                p.insert("name".into(), e.name.into());
                p.insert("description".into(), e.description.into());
                p.insert("images".into(), e.images.into());
                p.insert("updated_at".into(), at.into());
            })
            .await?
        }
        ProductEvent::ProductPriceChanged(e) => {
            modify(docs, PRODUCTS, &id, |p| {
                p.insert("price".into(), money(&e.price));
                p.insert("updated_at".into(), at.into());
            })
            .await?
        }
        ProductEvent::ProductCategoryAssigned(e) => {
            let category_id = e.category_id.to_string();
            let name = category_name(docs, &category_id).await?;
            modify(docs, PRODUCTS, &id, |p| {
                p.insert("category_id".into(), category_id.into());
                p.insert("category_name".into(), name);
                p.insert("updated_at".into(), at.into());
            })
            .await?
        }
        ProductEvent::ProductDiscontinued(_) => {
            modify(docs, PRODUCTS, &id, |p| {
                p.insert("discontinued".into(), true.into());
                p.insert("updated_at".into(), at.into());
            })
            .await?
        }
    };
    writes.extend(write);
    Ok(writes)
}

async fn category(event: CategoryEvent, docs: &Documents) -> Result<Vec<DocWrite>, ProjectionError> {
    let id = event.category_id().to_string();
    let at = timestamp(event.at());
    match event {
        CategoryEvent::CategoryCreated(e) => {
            let doc = json!({
                "id": id,
                "name": e.name,
                "parent_id": e.parent_id.map(|p| p.to_string()),
                "created_at": at,
                "updated_at": at,
            });
            // Products may name a category created after them (replays of older logs).
            let mut writes = rename_products(docs, &id, &e.name).await?;
            writes.insert(0, DocWrite::put(CATEGORIES, &id, doc));
            Ok(writes)
        }
        CategoryEvent::CategoryRenamed(e) => {
            let mut writes: Vec<DocWrite> = modify(docs, CATEGORIES, &id, |c| {
                c.insert("name".into(), e.name.clone().into());
                c.insert("updated_at".into(), at.into());
            })
            .await?
            .into_iter()
            .collect();
            writes.extend(rename_products(docs, &id, &e.name).await?);
            Ok(writes)
        }
    }
}

/// Sets `category_name` on every product listed in the category.
async fn rename_products(docs: &Documents, category_id: &str, name: &str) -> Result<Vec<DocWrite>, ProjectionError> {
    let products = docs.find(PRODUCTS, "category_id", category_id).await?;
    Ok(products
        .into_iter()
        .map(|(id, mut doc)| {
            if let Some(p) = doc.as_object_mut() {
                p.insert("category_name".into(), name.into());
            }
            DocWrite::put(PRODUCTS, id, doc)
        })
        .collect())
}

async fn stock(event: InventoryEvent, docs: &Documents) -> Result<Vec<DocWrite>, ProjectionError> {
    let sku = event.sku().as_str().to_owned();
    let (_, available) = levels(&event);
    let stored = docs.get(CATALOG_STOCK, &sku).await?;
    let listed = stored.as_ref().and_then(|s| s.get("product_ids")).and_then(Value::as_array).cloned();
    let products = match listed {
        Some(ids) => {
            let mut products = Vec::with_capacity(ids.len());
            for id in ids.iter().filter_map(Value::as_str) {
                if let Some(doc) = docs.get(PRODUCTS, id).await? {
                    products.push((id.to_owned(), doc));
                }
            }
            products
        }
        // Stock that arrived before its product, or a document written before
        // `product_ids` existed: ask the store, once.
        None => docs.find(PRODUCTS, "sku", sku.as_str()).await?,
    };
    let ids: Vec<Value> = products.iter().map(|(id, _)| Value::String(id.clone())).collect();
    let mut doc = stored.unwrap_or_else(|| json!({"id": sku, "sku": sku}));
    if let Some(fields) = doc.as_object_mut() {
        fields.insert("available".into(), available.into());
        fields.insert("product_ids".into(), Value::Array(ids));
    }
    let mut writes = vec![DocWrite::put(CATALOG_STOCK, &sku, doc)];
    for (id, mut doc) in products {
        if let Some(p) = doc.as_object_mut() {
            p.insert("stock".into(), available.into());
            p.insert("in_stock".into(), (available > 0).into());
        }
        writes.push(DocWrite::put(PRODUCTS, id, doc));
    }
    Ok(writes)
}

/// The category's current name, or null if it is not known (yet).
async fn category_name(docs: &Documents, category_id: &str) -> Result<Value, ProjectionError> {
    Ok(docs.get(CATEGORIES, category_id).await?.and_then(|c| c.get("name").cloned()).unwrap_or(Value::Null))
}
