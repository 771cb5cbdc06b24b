//! The catalog read model: what the storefront lists.
//!
//! - `products` (key: product id): [`ProductDoc`], with `id`, `sku`, `name`,
//!   `description`, `price`, `category_id`, `category_name`, `images`,
//!   `discontinued`, `stock` (units available), `in_stock`, `created_at`,
//!   `updated_at`;
//! - `categories` (key: category id): [`CategoryDoc`], with `id`, `name`,
//!   `parent_id`, `created_at`, `updated_at`;
//! - `catalog_stock` (key: SKU, internal): `id`, `sku`, `available`, so a product
//!   created after its stock arrived starts with the right `stock`, and
//!   `product_ids`, the products of the SKU, so a stock change finds them by key
//!   (one lookup per product) rather than by a query over all products per event.
//!
//! The projector owns its stock copy rather than reading the `inventory` model,
//! because another projector's documents may be at a different position.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use emporium_domain::Decider;
use emporium_domain::category::{Category, CategoryEvent};
use emporium_domain::inventory::{Inventory, InventoryEvent};
use emporium_domain::money::Money;
use emporium_domain::product::{Product, ProductEvent};
use emporium_infra::event_store::RecordedEvent;
use emporium_infra::read_store::DocWrite;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::inventory::levels;
use super::render::{fixed_time, load, modify, parse, put};
use crate::{Documents, ProjectionError, Projector, decode};

/// Products, one document each.
pub const PRODUCTS: &str = "products";
/// Categories, one document each.
pub const CATEGORIES: &str = "categories";
/// Units available per SKU, kept for products created later.
pub const CATALOG_STOCK: &str = "catalog_stock";

/// The stored product document, typed: the one shape of the `products` collection,
/// written here and read by the read API. Ids stay the text they are stored as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductDoc {
    /// The product's id (also the document key).
    pub id: String,
    /// Stock-keeping unit.
    pub sku: String,
    /// Display name.
    pub name: String,
    /// Description; may be empty.
    #[serde(default)]
    pub description: String,
    /// Unit price.
    pub price: Money,
    /// The id of the category it is listed in.
    pub category_id: Option<String>,
    /// That category's name, once the category is known.
    pub category_name: Option<String>,
    /// Image URLs in display order.
    #[serde(default)]
    pub images: Vec<String>,
    /// True once discontinued: no longer listed or sold.
    #[serde(default)]
    pub discontinued: bool,
    /// Units available to sell.
    #[serde(default)]
    pub stock: u64,
    /// Whether `stock` is above zero.
    #[serde(default)]
    pub in_stock: bool,
    /// When it was created.
    #[serde(with = "fixed_time")]
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    #[serde(with = "fixed_time")]
    pub updated_at: DateTime<Utc>,
}

impl ProductDoc {
    /// Sets `stock` and `in_stock` together.
    fn set_stock(&mut self, available: u64) {
        self.stock = available;
        self.in_stock = available > 0;
    }
}

/// The stored category document, typed: the one shape of the `categories` collection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryDoc {
    /// The category's id (also the document key).
    pub id: String,
    /// Display name.
    pub name: String,
    /// The parent category's id, or none for a top-level one.
    pub parent_id: Option<String>,
    /// When it was created.
    #[serde(with = "fixed_time")]
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    #[serde(with = "fixed_time")]
    pub updated_at: DateTime<Utc>,
}

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
    let at = event.at();
    let mut writes = Vec::new();
    let write = match event {
        ProductEvent::ProductCreated(e) => {
            let category_id = e.category_id.map(|c| c.to_string());
            let category_name = match &category_id {
                Some(c) => category_name(docs, c).await?,
                None => None,
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
            let mut doc = ProductDoc {
                id: id.clone(),
                sku: e.sku.as_str().to_owned(),
                name: e.name,
                description: e.description,
                price: e.price,
                category_id,
                category_name,
                images: e.images,
                discontinued: false,
                stock: 0,
                in_stock: false,
                created_at: at,
                updated_at: at,
            };
            doc.set_stock(stock);
            Some(put(PRODUCTS, &id, &doc)?)
        }
        ProductEvent::ProductDetailsChanged(e) => {
            modify(docs, PRODUCTS, &id, |p: &mut ProductDoc| {
                p.name = e.name;
                p.description = e.description;
                p.images = e.images;
                p.updated_at = at;
            })
            .await?
        }
        ProductEvent::ProductPriceChanged(e) => {
            modify(docs, PRODUCTS, &id, |p: &mut ProductDoc| {
                p.price = e.price;
                p.updated_at = at;
            })
            .await?
        }
        ProductEvent::ProductCategoryAssigned(e) => {
            let category_id = e.category_id.to_string();
            let name = category_name(docs, &category_id).await?;
            modify(docs, PRODUCTS, &id, |p: &mut ProductDoc| {
                p.category_id = Some(category_id);
                p.category_name = name;
                p.updated_at = at;
            })
            .await?
        }
        ProductEvent::ProductDiscontinued(_) => {
            modify(docs, PRODUCTS, &id, |p: &mut ProductDoc| {
                p.discontinued = true;
                p.updated_at = at;
            })
            .await?
        }
    };
    writes.extend(write);
    Ok(writes)
}

async fn category(event: CategoryEvent, docs: &Documents) -> Result<Vec<DocWrite>, ProjectionError> {
    let id = event.category_id().to_string();
    let at = event.at();
    match event {
        CategoryEvent::CategoryCreated(e) => {
            let doc = CategoryDoc {
                id: id.clone(),
                name: e.name.clone(),
                parent_id: e.parent_id.map(|p| p.to_string()),
                created_at: at,
                updated_at: at,
            };
            // Products may name a category created after them (replays of older logs).
            let mut writes = rename_products(docs, &id, &e.name).await?;
            writes.insert(0, put(CATEGORIES, &id, &doc)?);
            Ok(writes)
        }
        CategoryEvent::CategoryRenamed(e) => {
            let mut writes: Vec<DocWrite> = modify(docs, CATEGORIES, &id, |c: &mut CategoryDoc| {
                c.name = e.name.clone();
                c.updated_at = at;
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
    let mut writes = Vec::new();
    for (id, doc) in docs.find(PRODUCTS, "category_id", category_id).await? {
        let mut product: ProductDoc = parse(PRODUCTS, &id, doc)?;
        product.category_name = Some(name.to_owned());
        writes.push(put(PRODUCTS, &id, &product)?);
    }
    Ok(writes)
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
    for (id, doc) in products {
        let mut product: ProductDoc = parse(PRODUCTS, &id, doc)?;
        product.set_stock(available);
        writes.push(put(PRODUCTS, &id, &product)?);
    }
    Ok(writes)
}

/// The category's current name, or none if it is not known (yet).
async fn category_name(docs: &Documents, category_id: &str) -> Result<Option<String>, ProjectionError> {
    Ok(load::<CategoryDoc>(docs, CATEGORIES, category_id).await?.map(|c| c.name))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::sync::Arc;

    use emporium_domain::category::{CategoryCreated, CategoryRenamed};
    use emporium_domain::ids::{CategoryId, ProductId};
    use emporium_domain::inventory::StockReceived;
    use emporium_domain::product::{
        ProductCategoryAssigned, ProductCreated, ProductDetailsChanged, ProductDiscontinued, ProductPriceChanged,
    };
    use emporium_domain::values::{Quantity, Sku};
    use emporium_infra::read_store::sqlite::SqliteReadStore;
    use uuid::Uuid;

    use super::*;
    use crate::models::fixtures::{at, eur, recorded};

    const TEE: ProductId = ProductId::from_uuid(Uuid::from_u128(0x1));
    const MUG: ProductId = ProductId::from_uuid(Uuid::from_u128(0x2));
    const SHIRTS: CategoryId = CategoryId::from_uuid(Uuid::from_u128(0xC1));
    const TOPS: CategoryId = CategoryId::from_uuid(Uuid::from_u128(0xC2));

    fn sku(code: &str) -> Sku {
        Sku::parse(code).unwrap()
    }

    fn product(event: ProductEvent) -> RecordedEvent {
        recorded(Product::stream_id(&event.product_id()), &event)
    }

    fn category(event: CategoryEvent) -> RecordedEvent {
        recorded(Category::stream_id(&event.category_id()), &event)
    }

    fn received(code: &str, quantity: i64, available: u64, minute: u32) -> RecordedEvent {
        let event = InventoryEvent::StockReceived(StockReceived {
            sku: sku(code),
            quantity: Quantity::new(quantity).unwrap(),
            on_hand: available,
            available,
            at: at(minute),
        });
        recorded(Inventory::stream_id(&sku(code)), &event)
    }

    fn created(id: ProductId, code: &str, category_id: Option<CategoryId>, minute: u32) -> RecordedEvent {
        product(ProductEvent::ProductCreated(ProductCreated {
            product_id: id,
            sku: sku(code),
            name: format!("{code} name"),
            description: String::new(),
            price: eur(1500),
            category_id,
            images: vec!["https://img.example/1.png".into()],
            at: at(minute),
        }))
    }

    async fn run(events: &[RecordedEvent]) -> (tempfile::TempDir, Documents) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteReadStore::open(dir.path().join("read.db")).await.unwrap();
        let mut docs = Documents::new(Arc::new(store));
        for event in events {
            let writes = CatalogProjector.project(event, &docs).await.unwrap();
            docs.apply(writes);
        }
        (dir, docs)
    }

    #[tokio::test]
    async fn products_and_categories_are_stored_in_their_documented_shape() {
        let (_dir, docs) = run(&[
            received("TEE", 5, 5, 0),
            created(TEE, "TEE", Some(SHIRTS), 1),
            category(CategoryEvent::CategoryCreated(CategoryCreated {
                category_id: SHIRTS,
                name: "Shirts".into(),
                parent_id: None,
                at: at(2),
            })),
            product(ProductEvent::ProductPriceChanged(ProductPriceChanged {
                product_id: TEE,
                previous_price: eur(1500),
                price: eur(1299),
                at: at(3),
            })),
            product(ProductEvent::ProductDetailsChanged(ProductDetailsChanged {
                product_id: TEE,
                name: "Tee".into(),
                description: "Soft".into(),
                images: Vec::new(),
                at: at(4),
            })),
            category(CategoryEvent::CategoryRenamed(CategoryRenamed {
                category_id: SHIRTS,
                name: "Tees".into(),
                at: at(5),
            })),
            category(CategoryEvent::CategoryCreated(CategoryCreated {
                category_id: TOPS,
                name: "Tops".into(),
                parent_id: Some(SHIRTS),
                at: at(6),
            })),
            product(ProductEvent::ProductCategoryAssigned(ProductCategoryAssigned {
                product_id: TEE,
                category_id: TOPS,
                at: at(7),
            })),
            received("TEE", 3, 8, 8),
            created(MUG, "MUG", None, 9),
            product(ProductEvent::ProductDiscontinued(ProductDiscontinued { product_id: MUG, at: at(10) })),
        ])
        .await;
        let get = |collection: &'static str, id: String| {
            let docs = &docs;
            async move { docs.get(collection, &id).await.unwrap().unwrap() }
        };
        assert_eq!(
            get(PRODUCTS, TEE.to_string()).await,
            json!({
                "id": TEE.to_string(), "sku": "TEE", "name": "Tee", "description": "Soft",
                "price": {"amount": 1299, "currency": "EUR"}, "category_id": TOPS.to_string(), "category_name": "Tops",
                "images": [], "discontinued": false, "stock": 8, "in_stock": true,
                "created_at": "2025-06-01T12:01:00.000000Z", "updated_at": "2025-06-01T12:07:00.000000Z",
            })
        );
        assert_eq!(
            get(PRODUCTS, MUG.to_string()).await,
            json!({
                "id": MUG.to_string(), "sku": "MUG", "name": "MUG name", "description": "",
                "price": {"amount": 1500, "currency": "EUR"}, "category_id": null, "category_name": null,
                "images": ["https://img.example/1.png"], "discontinued": true, "stock": 0, "in_stock": false,
                "created_at": "2025-06-01T12:09:00.000000Z", "updated_at": "2025-06-01T12:10:00.000000Z",
            })
        );
        assert_eq!(
            get(CATEGORIES, SHIRTS.to_string()).await,
            json!({
                "id": SHIRTS.to_string(), "name": "Tees", "parent_id": null,
                "created_at": "2025-06-01T12:02:00.000000Z", "updated_at": "2025-06-01T12:05:00.000000Z",
            })
        );
        assert_eq!(
            get(CATEGORIES, TOPS.to_string()).await,
            json!({
                "id": TOPS.to_string(), "name": "Tops", "parent_id": SHIRTS.to_string(),
                "created_at": "2025-06-01T12:06:00.000000Z", "updated_at": "2025-06-01T12:06:00.000000Z",
            })
        );
    }
}
