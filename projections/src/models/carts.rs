//! The carts read model: each customer's cart with its prices worked out.
//!
//! - `carts` (key: customer id): `id` (= `customer_id`), `customer_id`, `cart_id`,
//!   `items` [`{id, product_id, sku, name, quantity, unit_price, line_total}`],
//!   `item_count`, `subtotal`, `discount`, `total` (money, or null while the cart is
//!   empty and so has no currency), `coupon_code`, `coupon` (`{code, discount,
//!   valid_from, valid_until}` or null), `last_order_id`, `updated_at`;
//! - `cart_owners` (key: cart id, internal): `customer_id`, because only
//!   `CartItemAdded` names the customer.
//!
//! The document is folded with the domain's own `evolve` and priced with its
//! `cart_totals`, so the read side shows exactly what checkout will charge.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use emporium_domain::Decider;
use emporium_domain::cart::{Cart, CartCoupon, CartEvent, CartLine, CartState, OpenCart, cart_totals};
use emporium_domain::discount::Discount;
use emporium_domain::ids::{CartId, CartLineId, CustomerId, OrderId, ProductId};
use emporium_domain::money::Money;
use emporium_domain::values::{Quantity, Sku};
use emporium_infra::event_store::RecordedEvent;
use emporium_infra::read_store::DocWrite;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::render::{fixed_time, malformed};
use crate::{Documents, ProjectionError, Projector, decode};

/// Carts, keyed by customer id.
pub const CARTS: &str = "carts";
/// Which customer owns which cart id.
pub const CART_OWNERS: &str = "cart_owners";

/// Projects cart events into each customer's cart.
#[derive(Debug, Clone, Copy, Default)]
pub struct CartsProjector;

#[async_trait]
impl Projector for CartsProjector {
    fn name(&self) -> &'static str {
        "carts"
    }

    fn collections(&self) -> &'static [&'static str] {
        &[CARTS, CART_OWNERS]
    }

    async fn project(&self, event: &RecordedEvent, docs: &Documents) -> Result<Vec<DocWrite>, ProjectionError> {
        if event.category() != Cart::CATEGORY {
            return Ok(Vec::new());
        }
        let event: CartEvent = decode(event)?;
        let cart_id = cart_id(&event).to_string();
        let mut writes = Vec::new();
        let customer_id = match &event {
            CartEvent::CartItemAdded(added) => {
                let customer = added.customer_id.to_string();
                if docs.get(CART_OWNERS, &cart_id).await?.is_none() {
                    writes.push(DocWrite::put(CART_OWNERS, &cart_id, json!({"id": cart_id, "customer_id": customer})));
                }
                customer
            }
            _ => match docs.get(CART_OWNERS, &cart_id).await?.and_then(|o| o.get("customer_id").cloned()) {
                Some(Value::String(customer)) => customer,
                // No item was ever added: the domain's evolve ignores such events too.
                _ => return Ok(writes),
            },
        };
        let state = match docs.get(CARTS, &customer_id).await? {
            Some(doc) => CartState::Present(
                serde_json::from_value::<CartDoc>(doc)
                    .map_err(|e| malformed(CARTS, &customer_id, e.to_string()))?
                    .into_cart(),
            ),
            None => CartState::Absent,
        };
        if let CartState::Present(cart) = Cart::evolve(state, &event) {
            let doc = CartDoc::from_cart(&cart).map_err(|reason| malformed(CARTS, &customer_id, reason))?;
            let doc = serde_json::to_value(doc).map_err(|e| malformed(CARTS, &customer_id, e.to_string()))?;
            writes.push(DocWrite::put(CARTS, &customer_id, doc));
        }
        Ok(writes)
    }
}

fn cart_id(event: &CartEvent) -> CartId {
    match event {
        CartEvent::CartItemAdded(e) => e.cart_id,
        CartEvent::CartItemQuantityChanged(e) => e.cart_id,
        CartEvent::CartItemRemoved(e) => e.cart_id,
        CartEvent::CartCouponApplied(e) => e.cart_id,
        CartEvent::CartCouponRemoved(e) => e.cart_id,
        CartEvent::CartCleared(e) => e.cart_id,
        CartEvent::CartCheckedOut(e) => e.cart_id,
    }
}

/// The stored cart document, typed: the one shape of the `carts` collection, written
/// here and read by the read API.
#[derive(Debug, Serialize, Deserialize)]
pub struct CartDoc {
    /// The document id: the owner's id (one cart per customer).
    pub id: CustomerId,
    /// The owner.
    pub customer_id: CustomerId,
    /// The cart.
    pub cart_id: CartId,
    /// Its lines.
    pub items: Vec<ItemDoc>,
    /// Units over all lines.
    pub item_count: u64,
    /// Sum of the line totals (null while empty).
    pub subtotal: Option<Money>,
    /// Taken off by the coupon.
    pub discount: Option<Money>,
    /// What checkout charges.
    pub total: Option<Money>,
    /// The applied coupon's code.
    pub coupon_code: Option<String>,
    /// The applied coupon's terms.
    pub coupon: Option<CouponDoc>,
    /// The order the cart was last checked out into.
    pub last_order_id: Option<OrderId>,
    /// When it last changed.
    #[serde(with = "fixed_time")]
    pub updated_at: DateTime<Utc>,
}

/// One cart line.
#[derive(Debug, Serialize, Deserialize)]
pub struct ItemDoc {
    /// The line.
    pub id: CartLineId,
    /// The product.
    pub product_id: ProductId,
    /// Its SKU.
    pub sku: Sku,
    /// Its name when added.
    pub name: String,
    /// Units.
    pub quantity: Quantity,
    /// Price per unit when added.
    pub unit_price: Money,
    /// `unit_price * quantity`.
    pub line_total: Money,
}

/// The applied coupon's terms.
#[derive(Debug, Serialize, Deserialize)]
pub struct CouponDoc {
    /// The code.
    pub code: String,
    /// What it takes off.
    pub discount: Discount,
    /// First instant it applies.
    #[serde(with = "fixed_time")]
    pub valid_from: DateTime<Utc>,
    /// First instant it no longer applies.
    #[serde(with = "fixed_time")]
    pub valid_until: DateTime<Utc>,
}

impl CartDoc {
    fn into_cart(self) -> OpenCart {
        OpenCart {
            cart_id: self.cart_id,
            customer_id: self.customer_id,
            lines: self
                .items
                .into_iter()
                .map(|i| CartLine {
                    line_id: i.id,
                    product_id: i.product_id,
                    sku: i.sku,
                    name: i.name,
                    unit_price: i.unit_price,
                    quantity: i.quantity,
                })
                .collect(),
            coupon: self.coupon.map(|c| CartCoupon {
                code: c.code,
                discount: c.discount,
                valid_from: c.valid_from,
                valid_until: c.valid_until,
            }),
            last_order_id: self.last_order_id,
            updated_at: self.updated_at,
        }
    }

    fn from_cart(cart: &OpenCart) -> Result<Self, String> {
        let totals = cart_totals(cart).map_err(|e| format!("pricing the cart: {e}"))?;
        let items = cart
            .lines
            .iter()
            .enumerate()
            .map(|(i, line)| ItemDoc {
                id: line.line_id,
                product_id: line.product_id,
                sku: line.sku.clone(),
                name: line.name.clone(),
                quantity: line.quantity,
                unit_price: line.unit_price,
                // cart_totals lists one total per line, in line order.
                line_total: totals.as_ref().and_then(|t| t.lines.get(i)).map_or(line.unit_price, |l| l.total),
            })
            .collect();
        Ok(Self {
            id: cart.customer_id,
            customer_id: cart.customer_id,
            cart_id: cart.cart_id,
            items,
            item_count: cart.lines.iter().map(|l| u64::from(l.quantity.get())).sum(),
            subtotal: totals.as_ref().map(|t| t.subtotal),
            discount: totals.as_ref().map(|t| t.discount),
            total: totals.as_ref().map(|t| t.total),
            coupon_code: cart.coupon.as_ref().map(|c| c.code.clone()),
            coupon: cart.coupon.as_ref().map(|c| CouponDoc {
                code: c.code.clone(),
                discount: c.discount,
                valid_from: c.valid_from,
                valid_until: c.valid_until,
            }),
            last_order_id: cart.last_order_id,
            updated_at: cart.updated_at,
        })
    }
}
