//! The read models and their runner, fed with real domain events appended to the
//! SQLite event store and read back from the SQLite read store.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use emporium_domain::DomainEvent;
use emporium_domain::cart::{
    CartCheckedOut, CartCheckedOutLine, CartCouponApplied, CartEvent, CartItemAdded, CartItemQuantityChanged,
};
use emporium_domain::category::{CategoryCreated, CategoryEvent, CategoryRenamed};
use emporium_domain::discount::Discount;
use emporium_domain::ids::{CartId, CartLineId, CategoryId, CustomerId, OrderId, PaymentId, ProductId};
use emporium_domain::inventory::{InventoryEvent, StockReceived, StockReserved};
use emporium_domain::money::{Currency, Money};
use emporium_domain::order::{
    CountryCode, OrderCancelled, OrderConfirmed, OrderCreated, OrderEvent, OrderShipped, PaymentProcessed,
    PricedOrderLine, ShippingAddress,
};
use emporium_domain::product::{ProductCreated, ProductEvent, ProductPriceChanged};
use emporium_domain::values::{Quantity, Sku};
use emporium_infra::codec::encode;
use emporium_infra::event_store::sqlite::SqliteEventStore;
use emporium_infra::event_store::{AppendRequest, EventMetadata, EventStore, ExpectedVersion, RecordedEvent};
use emporium_infra::read_store::sqlite::SqliteReadStore;
use emporium_infra::read_store::{DocWrite, Query, ReadStore, SortDirection};
use emporium_projections::models::{self, carts::CartsProjector, catalog::CatalogProjector};
use emporium_projections::{Documents, ProjectionError, ProjectionRunner, Projector, rebuild, status};
use serde_json::{Value, json};
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(10);

/// An event store and a read store in one temporary directory; `reopen` gives new
/// instances over the same files, as a restarted process would have.
struct Shop {
    dir: tempfile::TempDir,
    events: Arc<dyn EventStore>,
    reads: Arc<dyn ReadStore>,
}

impl Shop {
    async fn new() -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let (events, reads) = Self::open(&dir).await?;
        Ok(Self { dir, events, reads })
    }

    async fn open(dir: &tempfile::TempDir) -> anyhow::Result<(Arc<dyn EventStore>, Arc<dyn ReadStore>)> {
        let events: Arc<dyn EventStore> = Arc::new(SqliteEventStore::open(&dir.path().join("events.db")).await?);
        let reads: Arc<dyn ReadStore> = Arc::new(SqliteReadStore::open(dir.path().join("read.db")).await?);
        Ok((events, reads))
    }

    async fn reopen(&mut self) -> anyhow::Result<()> {
        (self.events, self.reads) = Self::open(&self.dir).await?;
        Ok(())
    }

    /// Appends domain events to a stream; returns the position of the last one.
    async fn append<E: DomainEvent>(&self, stream_id: &str, events: &[E]) -> anyhow::Result<u64> {
        let events = events.iter().map(|e| encode(e, EventMetadata::default())).collect::<Result<Vec<_>, _>>()?;
        let request =
            AppendRequest { stream_id: stream_id.to_owned(), expected: ExpectedVersion::Any, events, command_id: None };
        Ok(self.events.append(request).await?.last_position)
    }

    fn runner(&self, projectors: Vec<Arc<dyn Projector>>) -> ProjectionRunner {
        ProjectionRunner::new(self.events.clone(), self.reads.clone(), projectors)
    }

    async fn doc(&self, collection: &str, id: &str) -> anyhow::Result<Value> {
        self.reads.get(collection, id).await?.ok_or_else(|| anyhow::anyhow!("no document {collection}/{id}"))
    }

    /// Runs every read model until `position` is applied, then stops.
    async fn project_up_to(&self, position: u64) -> anyhow::Result<()> {
        let running = self.runner(models::all()).spawn();
        let reached = running.wait_for(position, WAIT).await;
        running.stop().await;
        anyhow::ensure!(reached, "the projections did not reach position {position}");
        Ok(())
    }
}

/// Counts the events it sees and flags any it sees twice: it reads its own counter
/// document, so it also proves reads see earlier writes of the same batch.
struct EventCounter;

#[async_trait]
impl Projector for EventCounter {
    fn name(&self) -> &'static str {
        "event_counter"
    }

    fn collections(&self) -> &'static [&'static str] {
        &["event_counter"]
    }

    async fn project(&self, event: &RecordedEvent, docs: &Documents) -> Result<Vec<DocWrite>, ProjectionError> {
        let current =
            docs.get("event_counter", "all").await?.unwrap_or_else(|| json!({"count": 0, "last": 0, "repeats": 0}));
        let count = current["count"].as_u64().unwrap_or(0);
        let last = current["last"].as_u64().unwrap_or(0);
        let repeats = current["repeats"].as_u64().unwrap_or(0) + u64::from(event.global_position <= last);
        let doc = json!({"count": count + 1, "last": event.global_position.max(last), "repeats": repeats});
        Ok(vec![DocWrite::put("event_counter", "all", doc)])
    }
}

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 12, minute, 0).single().unwrap_or_default()
}

fn eur(amount: i64) -> anyhow::Result<Money> {
    Ok(Money::new(amount, Currency::parse("EUR")?)?)
}

fn new_id<T: From<Uuid>>() -> T {
    T::from(Uuid::now_v7())
}

fn qty(n: i64) -> anyhow::Result<Quantity> {
    Ok(Quantity::new(n)?)
}

fn stock_received(sku: &Sku, quantity: i64, on_hand: u64, available: u64) -> anyhow::Result<InventoryEvent> {
    Ok(InventoryEvent::StockReceived(StockReceived {
        sku: sku.clone(),
        quantity: qty(quantity)?,
        on_hand,
        available,
        at: at(1),
    }))
}

fn product_created(
    id: ProductId,
    sku: &Sku,
    name: &str,
    price: i64,
    category: Option<CategoryId>,
) -> anyhow::Result<ProductEvent> {
    Ok(ProductEvent::ProductCreated(ProductCreated {
        product_id: id,
        sku: sku.clone(),
        name: name.to_owned(),
        description: format!("A fine {name}"),
        price: eur(price)?,
        category_id: category,
        images: vec![format!("https://img.example/{}.jpg", sku.as_str())],
        at: at(2),
    }))
}

fn order_created(order: OrderId, customer: CustomerId, minute: u32) -> anyhow::Result<OrderEvent> {
    let line = PricedOrderLine {
        product_id: new_id(),
        sku: Sku::parse("MUG-1")?,
        name: "Mug".into(),
        unit_price: eur(1250)?,
        quantity: qty(2)?,
        line_total: eur(2500)?,
    };
    Ok(OrderEvent::OrderCreated(OrderCreated {
        order_id: order,
        customer_id: customer,
        lines: vec![line],
        coupon: None,
        subtotal: eur(2500)?,
        discount: eur(0)?,
        total: eur(2500)?,
        shipping_address: ShippingAddress {
            name: "Ada Lovelace".into(),
            line1: "1 Analytical Way".into(),
            line2: None,
            city: "London".into(),
            postal_code: "N1 1AA".into(),
            country: CountryCode::parse("GB")?,
        },
        payment_method: "pm_card_visa".into(),
        at: at(minute),
    }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_catalog_lists_products_with_category_name_price_and_stock() -> anyhow::Result<()> {
    let shop = Shop::new().await?;
    let (shoes, kettle, mug): (ProductId, ProductId, ProductId) = (new_id(), new_id(), new_id());
    let category: CategoryId = new_id();
    let (shoe_sku, kettle_sku, mug_sku) = (Sku::parse("shoe-1")?, Sku::parse("KET-1")?, Sku::parse("MUG-1")?);
    shop.append(
        &format!("category-{category}"),
        &[CategoryEvent::CategoryCreated(CategoryCreated {
            category_id: category,
            name: "Footwear".into(),
            parent_id: None,
            at: at(0),
        })],
    )
    .await?;
    // Stock can arrive before the product is listed.
    shop.append(&format!("inventory-{}", mug_sku.as_str()), &[stock_received(&mug_sku, 7, 7, 7)?]).await?;
    shop.append(&format!("product-{shoes}"), &[product_created(shoes, &shoe_sku, "Trail Shoe", 8999, Some(category))?])
        .await?;
    shop.append(&format!("product-{kettle}"), &[product_created(kettle, &kettle_sku, "Kettle", 2599, None)?]).await?;
    shop.append(&format!("product-{mug}"), &[product_created(mug, &mug_sku, "Mug", 1250, None)?]).await?;
    shop.append(&format!("inventory-{}", shoe_sku.as_str()), &[stock_received(&shoe_sku, 12, 12, 12)?]).await?;
    shop.append(
        &format!("product-{shoes}"),
        &[ProductEvent::ProductPriceChanged(ProductPriceChanged {
            product_id: shoes,
            previous_price: eur(8999)?,
            price: eur(7999)?,
            at: at(5),
        })],
    )
    .await?;
    let head = shop
        .append(
            &format!("category-{category}"),
            &[CategoryEvent::CategoryRenamed(CategoryRenamed {
                category_id: category,
                name: "Shoes".into(),
                at: at(6),
            })],
        )
        .await?;
    shop.project_up_to(head).await?;

    let shoe = shop.doc("products", &shoes.to_string()).await?;
    assert_eq!(shoe["sku"], "SHOE-1");
    assert_eq!(shoe["name"], "Trail Shoe");
    assert_eq!(shoe["description"], "A fine Trail Shoe");
    assert_eq!(shoe["price"], json!({"amount": 7999, "currency": "EUR"}));
    assert_eq!(shoe["category_id"], category.to_string());
    assert_eq!(shoe["category_name"], "Shoes");
    assert_eq!(shoe["images"], json!(["https://img.example/SHOE-1.jpg"]));
    assert_eq!((shoe["discontinued"].clone(), shoe["stock"].clone()), (json!(false), json!(12)));
    assert_eq!(shop.doc("products", &mug.to_string()).await?["stock"], 7);
    assert_eq!(shop.doc("products", &kettle.to_string()).await?["stock"], 0);
    assert_eq!(shop.doc("categories", &category.to_string()).await?["name"], "Shoes");

    // The storefront's listing queries work on these documents.
    let in_category = shop.reads.query("products", &Query::new().filter("category_id", category.to_string())).await?;
    assert_eq!(in_category.total, 1);
    let cheap = Query::new().range("price.amount", None, Some(3000.0)).sort("price.amount", SortDirection::Asc);
    let names: Vec<_> = shop.reads.query("products", &cheap).await?.items.iter().map(|p| p["name"].clone()).collect();
    assert_eq!(names, [json!("Mug"), json!("Kettle")]);
    let search = shop.reads.query("products", &Query::new().search("trail", ["name", "description"])).await?;
    assert_eq!(search.total, 1);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inventory_shows_on_hand_reserved_and_available_per_sku() -> anyhow::Result<()> {
    let shop = Shop::new().await?;
    let sku = Sku::parse("KET-1")?;
    let head = shop
        .append(
            &format!("inventory-{}", sku.as_str()),
            &[
                stock_received(&sku, 10, 10, 10)?,
                InventoryEvent::StockReserved(StockReserved {
                    sku: sku.clone(),
                    order_id: new_id(),
                    quantity: qty(3)?,
                    on_hand: 10,
                    available: 7,
                    at: at(3),
                }),
            ],
        )
        .await?;
    shop.project_up_to(head).await?;
    let doc = shop.doc("inventory", "KET-1").await?;
    assert_eq!(
        (doc["sku"].clone(), doc["on_hand"].clone(), doc["reserved"].clone(), doc["available"].clone()),
        (json!("KET-1"), json!(10), json!(3), json!(7))
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cart_shows_its_items_and_totals_with_the_coupon_discount_and_empties_at_checkout() -> anyhow::Result<()> {
    let shop = Shop::new().await?;
    let (cart, customer): (CartId, CustomerId) = (new_id(), new_id());
    let (line_a, line_b): (CartLineId, CartLineId) = (new_id(), new_id());
    let (mug, kettle): (ProductId, ProductId) = (new_id(), new_id());
    let added = |line, product, sku: &str, name: &str, price, n, total| -> anyhow::Result<CartEvent> {
        Ok(CartEvent::CartItemAdded(CartItemAdded {
            cart_id: cart,
            customer_id: customer,
            line_id: line,
            product_id: product,
            sku: Sku::parse(sku)?,
            name: name.into(),
            unit_price: eur(price)?,
            quantity: qty(n)?,
            line_quantity: qty(total)?,
            at: at(1),
        }))
    };
    let stream = format!("cart-{cart}");
    let head = shop
        .append(
            &stream,
            &[
                added(line_a, mug, "MUG-1", "Mug", 1250, 1, 1)?,
                added(line_b, kettle, "KET-1", "Kettle", 2599, 1, 1)?,
                added(line_a, mug, "MUG-1", "Mug", 1250, 1, 2)?,
                CartEvent::CartItemQuantityChanged(CartItemQuantityChanged {
                    cart_id: cart,
                    line_id: line_b,
                    product_id: kettle,
                    quantity: qty(3)?,
                    at: at(2),
                }),
                CartEvent::CartCouponApplied(CartCouponApplied {
                    cart_id: cart,
                    code: "SAVE10".into(),
                    discount: Discount::Percent { percent: 10 },
                    valid_from: at(0),
                    valid_until: at(59),
                    at: at(3),
                }),
            ],
        )
        .await?;
    shop.project_up_to(head).await?;
    let doc = shop.doc("carts", &customer.to_string()).await?;
    assert_eq!(doc["customer_id"], customer.to_string());
    let items: Vec<_> = doc["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| {
            (
                i["product_id"].clone(),
                i["name"].clone(),
                i["quantity"].clone(),
                i["unit_price"]["amount"].clone(),
                i["line_total"]["amount"].clone(),
            )
        })
        .collect();
    assert_eq!(
        items,
        [
            (json!(mug.to_string()), json!("Mug"), json!(2), json!(1250), json!(2500)),
            (json!(kettle.to_string()), json!("Kettle"), json!(3), json!(2599), json!(7797)),
        ]
    );
    assert_eq!(doc["items"][0]["id"], line_a.to_string());
    // 10 % of 102.97 rounds down to 10.29.
    assert_eq!(
        (doc["subtotal"]["amount"].clone(), doc["discount"]["amount"].clone(), doc["total"]["amount"].clone()),
        (json!(10297), json!(1029), json!(9268))
    );
    assert_eq!(doc["total"]["currency"], "EUR");
    assert_eq!(doc["coupon_code"], "SAVE10");

    let order: OrderId = new_id();
    let checked_out = CartEvent::CartCheckedOut(CartCheckedOut {
        cart_id: cart,
        customer_id: customer,
        order_id: order,
        lines: vec![CartCheckedOutLine {
            line_id: line_a,
            product_id: mug,
            sku: Sku::parse("MUG-1")?,
            name: "Mug".into(),
            unit_price: eur(1250)?,
            quantity: qty(2)?,
            line_total: eur(2500)?,
        }],
        coupon: None,
        subtotal: eur(2500)?,
        discount: eur(0)?,
        total: eur(2500)?,
        at: at(4),
    });
    let head = shop.append(&stream, &[checked_out]).await?;
    shop.project_up_to(head).await?;
    let doc = shop.doc("carts", &customer.to_string()).await?;
    assert_eq!(doc["items"], json!([]));
    assert_eq!((doc["coupon_code"].clone(), doc["total"].clone()), (Value::Null, Value::Null));
    assert_eq!(doc["last_order_id"], order.to_string());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_follow_their_status_history_and_are_listed_by_customer() -> anyhow::Result<()> {
    let shop = Shop::new().await?;
    let (ada, bob): (CustomerId, CustomerId) = (new_id(), new_id());
    let (first, second, other): (OrderId, OrderId, OrderId) = (new_id(), new_id(), new_id());
    shop.append(
        &format!("order-{first}"),
        &[
            order_created(first, ada, 10)?,
            OrderEvent::PaymentProcessed(PaymentProcessed {
                order_id: first,
                payment_id: new_id::<PaymentId>(),
                amount: eur(2500)?,
                at: at(11),
            }),
            OrderEvent::OrderConfirmed(OrderConfirmed { order_id: first, invoice_number: 1001, at: at(12) }),
            OrderEvent::OrderShipped(OrderShipped {
                order_id: first,
                carrier: "DHL".into(),
                tracking_number: "JD0001".into(),
                at: at(13),
            }),
        ],
    )
    .await?;
    shop.append(
        &format!("order-{second}"),
        &[
            order_created(second, ada, 20)?,
            OrderEvent::OrderCancelled(OrderCancelled {
                order_id: second,
                reason: "changed my mind".into(),
                refund_due: false,
                at: at(21),
            }),
        ],
    )
    .await?;
    let head = shop.append(&format!("order-{other}"), &[order_created(other, bob, 30)?]).await?;
    shop.project_up_to(head).await?;

    let doc = shop.doc("orders", &first.to_string()).await?;
    assert_eq!(doc["id"], first.to_string());
    assert_eq!(doc["customer_id"], ada.to_string());
    assert_eq!(doc["status"], "shipped");
    let history: Vec<_> = doc["status_history"].as_array().into_iter().flatten().map(|h| h["status"].clone()).collect();
    assert_eq!(history, [json!("pending"), json!("paid"), json!("confirmed"), json!("shipped")]);
    assert_eq!(doc["status_history"][0]["at"], "2025-03-01T12:10:00.000000Z");
    assert_eq!(
        (doc["carrier"].clone(), doc["tracking_number"].clone(), doc["invoice_number"].clone()),
        (json!("DHL"), json!("JD0001"), json!(1001))
    );
    assert_eq!(doc["lines"][0]["line_total"], json!({"amount": 2500, "currency": "EUR"}));
    assert_eq!(
        (doc["subtotal"]["amount"].clone(), doc["discount"]["amount"].clone(), doc["total"]["amount"].clone()),
        (json!(2500), json!(0), json!(2500))
    );
    assert_eq!(doc["shipping_address"]["country"], "GB");
    assert_eq!(doc["created_at"], "2025-03-01T12:10:00.000000Z");
    assert_eq!(doc["cancellation_reason"], Value::Null);

    let cancelled = shop.doc("orders", &second.to_string()).await?;
    assert_eq!(
        (cancelled["status"].clone(), cancelled["cancellation_reason"].clone()),
        (json!("cancelled"), json!("changed my mind"))
    );

    let adas = Query::new().filter("customer_id", ada.to_string()).sort("created_at", SortDirection::Desc);
    let page = shop.reads.query("orders", &adas).await?;
    let ids: Vec<_> = page.items.iter().map(|o| o["id"].clone()).collect();
    assert_eq!((ids, page.total), (vec![json!(second.to_string()), json!(first.to_string())], 2));
    let shipped = Query::new().filter("customer_id", ada.to_string()).filter("status", "shipped");
    assert_eq!(shop.reads.query("orders", &shipped).await?.total, 1);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_runner_resumes_from_its_checkpoint_without_repeating_or_missing_events() -> anyhow::Result<()> {
    let mut shop = Shop::new().await?;
    let sku = Sku::parse("KET-1")?;
    let stream = format!("inventory-{}", sku.as_str());
    let mut head = 0;
    for i in 1..=40 {
        head = shop.append(&stream, &[stock_received(&sku, 1, i, i)?]).await?;
    }
    let projectors =
        || -> Vec<Arc<dyn Projector>> { vec![Arc::new(EventCounter), Arc::new(models::inventory::InventoryProjector)] };
    let running = shop.runner(projectors()).with_batch_size(7).spawn();
    assert!(running.wait_for(head, WAIT).await);
    running.stop().await;
    assert_eq!(shop.reads.checkpoint("event_counter").await?, head);

    // While nothing runs, more events arrive; then the process restarts.
    for i in 41..=65 {
        head = shop.append(&stream, &[stock_received(&sku, 1, i, i)?]).await?;
    }
    shop.reopen().await?;
    assert_eq!(shop.doc("event_counter", "all").await?["count"], 40);
    let running = shop.runner(projectors()).with_batch_size(7).spawn();
    assert!(running.wait_for(head, WAIT).await);
    // Events appended while it runs are applied too.
    let more = shop.append(&stream, &[stock_received(&sku, 1, 66, 66)?]).await?;
    assert!(running.wait_for(more, WAIT).await);
    running.stop().await;

    let counter = shop.doc("event_counter", "all").await?;
    assert_eq!(counter, json!({"count": 66, "last": more, "repeats": 0}));
    assert_eq!(shop.doc("inventory", "KET-1").await?["on_hand"], 66);
    assert_eq!(shop.reads.checkpoint("inventory").await?, more);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_your_writes_waits_for_the_applied_position_and_times_out_beyond_the_log() -> anyhow::Result<()> {
    let shop = Shop::new().await?;
    let running = shop.runner(models::all()).spawn();
    let sku = Sku::parse("MUG-1")?;
    let position = shop.append(&format!("inventory-{}", sku.as_str()), &[stock_received(&sku, 5, 5, 5)?]).await?;
    assert!(running.wait_for(position, WAIT).await);
    // Once the position is applied, the document is there to read.
    assert_eq!(shop.doc("inventory", "MUG-1").await?["available"], 5);
    assert!(running.applied() >= position);
    // Read-your-writes in another process reads the same from the stored checkpoints.
    let names = models::all().iter().map(|p| p.name().to_owned()).collect::<Vec<_>>();
    let applied = emporium_api_kit::position::AppliedPosition::new(shop.reads.clone(), names);
    assert!(applied.current().await? >= position);
    assert!(!running.wait_for(position + 1, Duration::from_millis(300)).await);
    running.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rebuild_resets_a_projection_and_replays_it_to_the_same_documents() -> anyhow::Result<()> {
    let shop = Shop::new().await?;
    let category: CategoryId = new_id();
    let product: ProductId = new_id();
    let sku = Sku::parse("SHOE-1")?;
    shop.append(
        &format!("category-{category}"),
        &[CategoryEvent::CategoryCreated(CategoryCreated {
            category_id: category,
            name: "Shoes".into(),
            parent_id: None,
            at: at(0),
        })],
    )
    .await?;
    shop.append(&format!("product-{product}"), &[product_created(product, &sku, "Trail Shoe", 8999, Some(category))?])
        .await?;
    let head = shop.append(&format!("inventory-{}", sku.as_str()), &[stock_received(&sku, 4, 4, 4)?]).await?;
    shop.project_up_to(head).await?;
    let before = shop.doc("products", &product.to_string()).await?;

    // Damage the read model: a stray document and a lost one.
    let catalog = shop.reads.checkpoint("catalog").await?;
    shop.reads
        .commit(
            "catalog",
            vec![
                DocWrite::put("products", "stray", json!({"id": "stray"})),
                DocWrite::delete("categories", category.to_string()),
            ],
            catalog + 100,
        )
        .await?;

    let mut progress = Vec::new();
    let reached = rebuild(shop.events.clone(), shop.reads.clone(), &CatalogProjector, |p| progress.push(p)).await?;
    assert_eq!(reached, head);
    assert_eq!(progress.last(), Some(&head));
    assert_eq!(shop.reads.checkpoint("catalog").await?, head);
    assert_eq!(shop.reads.get("products", "stray").await?, None);
    assert_eq!(shop.doc("products", &product.to_string()).await?, before);
    assert_eq!(shop.doc("categories", &category.to_string()).await?["name"], "Shoes");
    // Other projections are untouched by a rebuild of this one.
    assert_eq!(shop.reads.checkpoint("inventory").await?, head);

    // A runner started afterwards continues from the rebuilt checkpoint.
    let later = shop.append(&format!("inventory-{}", sku.as_str()), &[stock_received(&sku, 1, 5, 5)?]).await?;
    shop.project_up_to(later).await?;
    assert_eq!(shop.doc("products", &product.to_string()).await?["stock"], 5);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rebuilding_the_carts_projection_reproduces_the_same_carts() -> anyhow::Result<()> {
    let shop = Shop::new().await?;
    let (cart, customer): (CartId, CustomerId) = (new_id(), new_id());
    let add = CartEvent::CartItemAdded(CartItemAdded {
        cart_id: cart,
        customer_id: customer,
        line_id: new_id(),
        product_id: new_id(),
        sku: Sku::parse("MUG-1")?,
        name: "Mug".into(),
        unit_price: eur(1250)?,
        quantity: qty(1)?,
        line_quantity: qty(1)?,
        at: at(1),
    });
    let head = shop.append(&format!("cart-{cart}"), &[add]).await?;
    shop.project_up_to(head).await?;
    let before = shop.doc("carts", &customer.to_string()).await?;
    rebuild(shop.events.clone(), shop.reads.clone(), &CartsProjector, |_| {}).await?;
    assert_eq!(shop.doc("carts", &customer.to_string()).await?, before);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_reports_each_projections_checkpoint_and_lag() -> anyhow::Result<()> {
    let shop = Shop::new().await?;
    let sku = Sku::parse("MUG-1")?;
    let head = shop
        .append(
            &format!("inventory-{}", sku.as_str()),
            &[stock_received(&sku, 5, 5, 5)?, stock_received(&sku, 1, 6, 6)?],
        )
        .await?;
    let projectors = models::all();
    let before = status(shop.events.as_ref(), shop.reads.as_ref(), &projectors).await?;
    assert!(before.iter().all(|s| s.checkpoint == 0 && s.lag == head), "{before:?}");
    shop.project_up_to(head).await?;
    let after = status(shop.events.as_ref(), shop.reads.as_ref(), &projectors).await?;
    let names: Vec<_> = after.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, projectors.iter().map(|p| p.name()).collect::<Vec<_>>());
    for model in ["catalog", "inventory", "carts", "orders"] {
        assert!(names.contains(&model), "{model} is missing from {names:?}");
    }
    assert!(after.iter().all(|s| s.checkpoint == head && s.lag == 0), "{after:?}");
    Ok(())
}

/// Fails on every event of one stream, as a projector with a bug would, until fixed.
#[derive(Default)]
struct Broken {
    fixed: std::sync::atomic::AtomicBool,
}

#[async_trait]
impl Projector for Broken {
    fn name(&self) -> &'static str {
        "broken"
    }

    fn collections(&self) -> &'static [&'static str] {
        &["broken"]
    }

    async fn project(&self, event: &RecordedEvent, _docs: &Documents) -> Result<Vec<DocWrite>, ProjectionError> {
        if event.stream_id == "inventory-POISON" && !self.fixed.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(ProjectionError::Document {
                collection: "broken".into(),
                id: event.stream_id.clone(),
                reason: "cannot handle this".into(),
            });
        }
        Ok(vec![DocWrite::put("broken", event.global_position.to_string(), json!({"stream": event.stream_id}))])
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_a_projector_keeps_failing_on_is_parked_and_named_the_rest_flows_on_and_a_replay_applies_it()
-> anyhow::Result<()> {
    use emporium_infra::follow::parked;
    let shop = Shop::new().await?;
    let (good, poison) = (Sku::parse("GOOD")?, Sku::parse("POISON")?);
    let first = shop.append("inventory-GOOD", &[stock_received(&good, 1, 1, 1)?]).await?;
    let bad = shop.append("inventory-POISON", &[stock_received(&poison, 1, 1, 1)?]).await?;
    let last = shop.append("inventory-GOOD", &[stock_received(&good, 1, 2, 2)?]).await?;
    let broken = Arc::new(Broken::default());
    // All three arrive in one batch: the batch fails, its events are tried alone.
    let running = shop.runner(vec![broken.clone()]).spawn();
    assert!(running.wait_for(last, WAIT * 3).await, "the events after the poison one were not applied");
    assert_eq!(shop.reads.checkpoint("broken").await?, last);
    let applied = shop.reads.query("broken", &Query::new()).await?;
    assert_eq!(applied.total, 2, "{applied:?}");
    let entries = parked::list(shop.reads.as_ref(), Some("broken")).await?;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!((entries[0].position, entries[0].stream_id.as_str()), (bad, "inventory-POISON"));
    assert!(entries[0].reason.contains("cannot handle this"), "{}", entries[0].reason);
    let board = running.health().consumers();
    assert_eq!(board.iter().find(|c| c.name == "broken").map(|c| c.parked), Some(1), "{board:?}");
    assert!(first < bad);

    // Fixed, then sent back: applied out of order, the entry gone, the checkpoint kept.
    broken.fixed.store(true, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(parked::request_replay(shop.reads.as_ref(), Some("broken"), None).await?, 1);
    let deadline = tokio::time::Instant::now() + WAIT;
    while !parked::list(shop.reads.as_ref(), Some("broken")).await?.is_empty() {
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "the replayed message stayed parked");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(shop.doc("broken", &bad.to_string()).await?["stream"], "inventory-POISON");
    assert_eq!(shop.reads.checkpoint("broken").await?, last);
    assert_eq!(running.health().consumers()[0].parked, 0);
    running.stop().await;
    Ok(())
}

/// Panics on every event, as a projector with a worse bug would.
struct Panicking;

#[async_trait]
impl Projector for Panicking {
    fn name(&self) -> &'static str {
        "panicking"
    }

    fn collections(&self) -> &'static [&'static str] {
        &["panicking"]
    }

    #[allow(clippy::panic)]
    async fn project(&self, _event: &RecordedEvent, _docs: &Documents) -> Result<Vec<DocWrite>, ProjectionError> {
        panic!("a bug in the projector")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_projector_that_panics_is_reported_failed_by_name_while_the_others_go_on() -> anyhow::Result<()> {
    let shop = Shop::new().await?;
    let sku = Sku::parse("MUG-1")?;
    let position = shop.append("inventory-MUG-1", &[stock_received(&sku, 5, 5, 5)?]).await?;
    let projectors: Vec<Arc<dyn Projector>> = vec![Arc::new(Panicking), models::by_name("inventory").expect("known")];
    let running = shop.runner(projectors).spawn();
    let deadline = tokio::time::Instant::now() + WAIT;
    while running.health().all_running() {
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "the panic was never reported");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let board = running.health().consumers();
    let failed = board.iter().find(|c| c.name == "panicking").expect("registered");
    assert_eq!(failed.condition, emporium_infra::follow::health::Condition::Failed);
    assert!(failed.error.as_deref().unwrap_or_default().contains("a bug in the projector"), "{failed:?}");
    while shop.reads.checkpoint("inventory").await? < position {
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "the healthy projector stalled too");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let inventory = shop.doc("inventory", "MUG-1").await?;
    assert_eq!(inventory["available"], 5);
    running.stop().await;
    Ok(())
}
