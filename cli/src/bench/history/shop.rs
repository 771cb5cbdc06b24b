//! The synthetic shop's state and what happens in it: the events of each step, with
//! the stock levels, cart lines, coupon uses and invoice numbers a real shop would
//! have recorded.

use chrono::{DateTime, Duration, TimeZone, Utc};
use emporium_domain::cart::{
    CartCheckedOut, CartCheckedOutCoupon, CartCheckedOutLine, CartCleared, CartCouponApplied, CartEvent, CartItemAdded,
    CartItemQuantityChanged,
};
use emporium_domain::category::{CategoryCreated, CategoryEvent, CategoryRenamed};
use emporium_domain::coupon::{CouponCode, CouponCreated, CouponEvent, CouponRedeemed};
use emporium_domain::customer::{CustomerEmailVerified, CustomerEvent, CustomerRegistered};
use emporium_domain::discount::Discount;
use emporium_domain::ids::{CartId, CartLineId, CategoryId, CouponId, CustomerId, OrderId, PaymentId, ProductId};
use emporium_domain::inventory::{InventoryEvent, StockCommitted, StockReceived, StockReleased, StockReserved};
use emporium_domain::money::{Currency, Money};
use emporium_domain::notification::{
    Channel, NotificationEvent, NotificationId, NotificationKind, NotificationQueued, NotificationSent, RetryPolicy,
};
use emporium_domain::order::{
    CountryCode, ItemsReserved, OrderCancelled, OrderConfirmed, OrderCoupon, OrderCreated, OrderDelivered, OrderEvent,
    OrderPaymentFailed, OrderShipped, PaymentProcessed, PricedOrderLine, ShippingAddress,
};
use emporium_domain::payment::{
    MethodToken, PaymentAuthorized, PaymentCaptured, PaymentEvent, PaymentFailed, PaymentRequested, TokenFingerprint,
    WalletEvent, wallet::PaymentMethodSaved,
};
use emporium_domain::product::{ProductCreated, ProductEvent, ProductPriceChanged};
use emporium_domain::values::{Email, Quantity, Sku};
use emporium_domain::{Decider, cart, category, coupon, customer, inventory, notification, order, payment, product};
use uuid::Uuid;

use super::Round;

/// Units a SKU is restocked with when it runs low.
const RESTOCK: u64 = 500;

/// A product on sale.
struct Item {
    id: ProductId,
    sku: Sku,
    name: String,
    price: Money,
    on_hand: u64,
    reserved: u64,
}

/// A registered customer and their cart.
struct Shopper {
    id: CustomerId,
    cart: CartId,
    card: TokenFingerprint,
}

/// A coupon and how often it was used.
struct Offer {
    id: CouponId,
    code: String,
    discount: Discount,
    uses: u32,
}

/// The shop as the log has told it so far.
pub(super) struct Shop {
    rng: SplitMix,
    clock: DateTime<Utc>,
    eur: Currency,
    categories: Vec<(CategoryId, String)>,
    products: usize,
    items: Vec<Item>,
    shoppers: Vec<Shopper>,
    offers: Vec<Offer>,
    invoices: u64,
}

impl Shop {
    /// A shop sized for a history of about `events` events (more products for more
    /// history, as a growing shop has).
    pub(super) fn new(events: u64) -> anyhow::Result<Self> {
        let start = Utc.with_ymd_and_hms(2025, 1, 1, 8, 0, 0).single().unwrap_or_default();
        Ok(Self {
            rng: SplitMix(0x5eed_e3b0_c442_98fc),
            clock: start,
            eur: Currency::parse("EUR")?,
            categories: Vec::new(),
            products: product_count(events),
            items: Vec::new(),
            shoppers: Vec::new(),
            offers: Vec::new(),
            invoices: 0,
        })
    }

    /// Opening day: categories, products with their first stock, coupons.
    pub(super) fn open(&mut self, round: &mut Round) -> anyhow::Result<()> {
        for n in 0..12 {
            let id = CategoryId::from_uuid(self.uuid());
            let name = format!("Category {n}");
            let parent_id = (n >= 4).then(|| self.categories[n % 4].0);
            let at = self.tick();
            round.push(
                stream::<category::Category>(id),
                &CategoryEvent::CategoryCreated(CategoryCreated { category_id: id, name: name.clone(), parent_id, at }),
            )?;
            self.categories.push((id, name));
        }
        for n in 0..self.products {
            self.add_product(round, n)?;
        }
        for (n, discount) in [
            Discount::Percent { percent: 10 },
            Discount::Percent { percent: 25 },
            Discount::Fixed { amount: Money::new(500, self.eur)? },
        ]
        .into_iter()
        .enumerate()
        {
            let id = CouponId::from_uuid(self.uuid());
            let code = format!("BENCH{n}");
            let at = self.tick();
            round.push(
                stream::<coupon::Coupon>(id),
                &CouponEvent::CouponCreated(CouponCreated {
                    coupon_id: id,
                    code: CouponCode::parse(&code)?,
                    discount,
                    valid_from: at,
                    valid_until: at + Duration::days(3650),
                    max_uses: None,
                    at,
                }),
            )?;
            self.offers.push(Offer { id, code, discount, uses: 0 });
        }
        Ok(())
    }

    fn add_product(&mut self, round: &mut Round, n: usize) -> anyhow::Result<()> {
        let id = ProductId::from_uuid(self.uuid());
        let sku = Sku::parse(&format!("SKU-{n:06}"))?;
        let price = Money::new(199 + self.rng.below(20_000) as i64, self.eur)?;
        let category = self.categories[self.rng.below(self.categories.len() as u64) as usize].0;
        let at = self.tick();
        let name = format!("Product {n}");
        round.push(
            stream::<product::Product>(id),
            &ProductEvent::ProductCreated(ProductCreated {
                product_id: id,
                sku: sku.clone(),
                name: name.clone(),
                description: format!("The {n}th thing this shop sells, described at some length for the storefront."),
                price,
                category_id: Some(category),
                images: vec![format!("https://img.example/{n}.jpg")],
                at,
            }),
        )?;
        self.items.push(Item { id, sku, name, price, on_hand: 0, reserved: 0 });
        self.restock(round, self.items.len() - 1)
    }

    /// One visit: maybe a new customer, a cart, and usually an order.
    pub(super) fn session(&mut self, round: &mut Round) -> anyhow::Result<()> {
        if self.shoppers.is_empty() || self.rng.below(100) < 25 {
            self.register(round)?;
        }
        let roll = self.rng.below(1000);
        if roll < 10 {
            self.change_price(round)?;
        } else if roll < 11 {
            self.rename_category(round)?;
        }
        let shopper = self.rng.below(self.shoppers.len() as u64) as usize;
        let lines = self.fill_cart(round, shopper)?;
        match self.rng.below(100) {
            0..10 => {
                let at = self.tick();
                let cart_id = self.shoppers[shopper].cart;
                round.push(stream::<cart::Cart>(cart_id), &CartEvent::CartCleared(CartCleared { cart_id, at }))
            }
            roll => self.checkout(round, shopper, lines, roll < 4),
        }
    }

    fn register(&mut self, round: &mut Round) -> anyhow::Result<()> {
        let id = CustomerId::from_uuid(self.uuid());
        let n = self.shoppers.len();
        let email = format!("shopper{n}@example.com");
        let at = self.tick();
        let customer = stream::<customer::Customer>(id);
        round.push(
            customer.clone(),
            &CustomerEvent::CustomerRegistered(CustomerRegistered {
                customer_id: id,
                email: Email::parse(&email)?,
                name: format!("Shopper {n}"),
                at,
            }),
        )?;
        round.push(customer, &CustomerEvent::CustomerEmailVerified(CustomerEmailVerified { customer_id: id, at }))?;
        self.notify(round, id, &email, NotificationKind::Welcome, "Welcome to the shop")?;
        let card = MethodToken::new(format!("pm_bench_{n}")).fingerprint();
        if self.rng.below(100) < 30 {
            let at = self.tick();
            round.push(
                stream::<payment::Wallet>(id),
                &WalletEvent::PaymentMethodSaved(PaymentMethodSaved {
                    customer_id: id,
                    method_id: self.uuid().into(),
                    provider: "simulated".to_owned(),
                    brand: "visa".to_owned(),
                    last4: format!("{:04}", n % 10_000),
                    token_fingerprint: card,
                    at,
                }),
            )?;
        }
        let cart = CartId::from_uuid(self.uuid());
        self.shoppers.push(Shopper { id, cart, card });
        Ok(())
    }

    /// Adds one to four distinct products to the shopper's (empty) cart; returns the lines.
    fn fill_cart(&mut self, round: &mut Round, shopper: usize) -> anyhow::Result<Vec<(usize, CartLineId, u32)>> {
        let (cart_id, customer_id) = (self.shoppers[shopper].cart, self.shoppers[shopper].id);
        let mut lines: Vec<(usize, CartLineId, u32)> = Vec::new();
        for _ in 0..1 + self.rng.below(4) {
            let item = self.rng.below(self.items.len() as u64) as usize;
            if lines.iter().any(|(i, _, _)| *i == item) {
                continue;
            }
            let (line_id, units) = (CartLineId::from_uuid(self.uuid()), 1 + self.rng.below(3) as u32);
            let at = self.tick();
            let it = &self.items[item];
            round.push(
                stream::<cart::Cart>(cart_id),
                &CartEvent::CartItemAdded(CartItemAdded {
                    cart_id,
                    customer_id,
                    line_id,
                    product_id: it.id,
                    sku: it.sku.clone(),
                    name: it.name.clone(),
                    unit_price: it.price,
                    quantity: Quantity::new(i64::from(units))?,
                    line_quantity: Quantity::new(i64::from(units))?,
                    at,
                }),
            )?;
            lines.push((item, line_id, units));
        }
        if self.rng.below(100) < 15 {
            let (item, line_id, units) = &mut lines[0];
            *units += 1;
            let at = self.tick();
            round.push(
                stream::<cart::Cart>(cart_id),
                &CartEvent::CartItemQuantityChanged(CartItemQuantityChanged {
                    cart_id,
                    line_id: *line_id,
                    product_id: self.items[*item].id,
                    quantity: Quantity::new(i64::from(*units))?,
                    at,
                }),
            )?;
        }
        Ok(lines)
    }

    /// Checks the cart out into an order and follows the order to its end: paid and
    /// confirmed (often shipped), or cancelled after a declined payment.
    fn checkout(
        &mut self,
        round: &mut Round,
        shopper: usize,
        lines: Vec<(usize, CartLineId, u32)>,
        declined: bool,
    ) -> anyhow::Result<()> {
        let Shopper { id: customer_id, cart: cart_id, card } = self.shoppers[shopper];
        let order_id = OrderId::from_uuid(self.uuid());
        let order = stream::<order::Order>(order_id);
        let offer = (self.rng.below(100) < 20).then(|| self.rng.below(self.offers.len() as u64) as usize);
        if let Some(o) = offer {
            let (code, discount, at) = (self.offers[o].code.clone(), self.offers[o].discount, self.tick());
            round.push(
                stream::<cart::Cart>(cart_id),
                &CartEvent::CartCouponApplied(CartCouponApplied {
                    cart_id,
                    code,
                    discount,
                    valid_from: at - Duration::days(1),
                    valid_until: at + Duration::days(3650),
                    at,
                }),
            )?;
        }
        let mut priced = Vec::new();
        let mut checked_out = Vec::new();
        for &(item, line_id, units) in &lines {
            let it = &self.items[item];
            let line_total = it.price.checked_mul(units)?;
            let quantity = Quantity::new(i64::from(units))?;
            checked_out.push(CartCheckedOutLine {
                line_id,
                product_id: it.id,
                sku: it.sku.clone(),
                name: it.name.clone(),
                unit_price: it.price,
                quantity,
                line_total,
            });
            priced.push(PricedOrderLine {
                product_id: it.id,
                sku: it.sku.clone(),
                name: it.name.clone(),
                unit_price: it.price,
                quantity,
                line_total,
            });
        }
        let subtotal = Money::sum(self.eur, priced.iter().map(|l| &l.line_total))?;
        let discount = match offer {
            Some(o) => self.offers[o].discount.amount_off(&subtotal)?,
            None => Money::zero(self.eur),
        };
        let total = subtotal.checked_sub(&discount)?;
        let at = self.tick();
        let coupon = offer.map(|o| (self.offers[o].code.clone(), self.offers[o].discount));
        round.push(
            stream::<cart::Cart>(cart_id),
            &CartEvent::CartCheckedOut(CartCheckedOut {
                cart_id,
                customer_id,
                order_id,
                lines: checked_out,
                coupon: coupon.clone().map(|(code, discount)| CartCheckedOutCoupon { code, discount }),
                subtotal,
                discount,
                total,
                at,
            }),
        )?;
        if let Some(o) = offer {
            self.offers[o].uses += 1;
            let coupon_id = self.offers[o].id;
            round.push(
                stream::<coupon::Coupon>(coupon_id),
                &CouponEvent::CouponRedeemed(CouponRedeemed { coupon_id, order_id, uses: self.offers[o].uses, at }),
            )?;
        }
        round.push(
            order.clone(),
            &OrderEvent::OrderCreated(OrderCreated {
                order_id,
                customer_id,
                lines: priced,
                coupon: coupon.map(|(code, discount)| OrderCoupon { code, discount }),
                subtotal,
                discount,
                total,
                shipping_address: self.address(shopper)?,
                payment_method: "pm_card_visa".to_owned(),
                at,
            }),
        )?;
        for &(item, _, units) in &lines {
            self.reserve(round, item, order_id, units)?;
        }
        let at = self.tick();
        round.push(order.clone(), &OrderEvent::ItemsReserved(ItemsReserved { order_id, at }))?;
        let payment_id = PaymentId::from_uuid(self.uuid());
        let payment = stream::<payment::Payment>(payment_id);
        round.push(
            payment.clone(),
            &PaymentEvent::PaymentRequested(PaymentRequested {
                payment_id,
                order_id,
                customer_id,
                amount: total,
                method_fingerprint: card,
                at,
            }),
        )?;
        let at = self.tick();
        if declined {
            let reason = "card_declined".to_owned();
            round.push(
                payment,
                &PaymentEvent::PaymentFailed(PaymentFailed { payment_id, order_id, reason: reason.clone(), at }),
            )?;
            round.push(
                order.clone(),
                &OrderEvent::OrderPaymentFailed(OrderPaymentFailed {
                    order_id,
                    reason,
                    deadline: at + Duration::minutes(15),
                    at,
                }),
            )?;
            let at = at + Duration::minutes(15);
            round.push(
                order,
                &OrderEvent::OrderCancelled(OrderCancelled {
                    order_id,
                    reason: "payment_deadline_passed".to_owned(),
                    refund_due: false,
                    at,
                }),
            )?;
            for &(item, _, units) in &lines {
                self.release(round, item, order_id, units)?;
            }
            return Ok(());
        }
        round.push(
            payment.clone(),
            &PaymentEvent::PaymentAuthorized(PaymentAuthorized {
                payment_id,
                order_id,
                provider_reference: format!("ch_{}", payment_id.as_uuid().simple()),
                amount: total,
                at,
            }),
        )?;
        round.push(
            payment,
            &PaymentEvent::PaymentCaptured(PaymentCaptured { payment_id, order_id, amount: total, at }),
        )?;
        round.push(
            order.clone(),
            &OrderEvent::PaymentProcessed(PaymentProcessed { order_id, payment_id, amount: total, at }),
        )?;
        self.invoices += 1;
        let at = self.tick();
        round.push(
            order.clone(),
            &OrderEvent::OrderConfirmed(OrderConfirmed { order_id, invoice_number: self.invoices, at }),
        )?;
        for &(item, _, units) in &lines {
            self.commit(round, item, order_id, units)?;
        }
        let email = format!("shopper{shopper}@example.com");
        self.notify(round, customer_id, &email, NotificationKind::OrderConfirmation, "Your order is confirmed")?;
        if self.rng.below(100) < 60 {
            let at = self.tick() + Duration::days(1);
            round.push(
                order.clone(),
                &OrderEvent::OrderShipped(OrderShipped {
                    order_id,
                    carrier: "DHL".to_owned(),
                    tracking_number: format!("TRK{}", self.invoices),
                    at,
                }),
            )?;
            if self.rng.below(100) < 80 {
                round.push(
                    order,
                    &OrderEvent::OrderDelivered(OrderDelivered { order_id, at: at + Duration::days(2) }),
                )?;
            }
        }
        Ok(())
    }

    fn reserve(&mut self, round: &mut Round, item: usize, order_id: OrderId, units: u32) -> anyhow::Result<()> {
        if self.items[item].on_hand - self.items[item].reserved < u64::from(units) {
            self.restock(round, item)?;
        }
        let at = self.tick();
        let it = &mut self.items[item];
        it.reserved += u64::from(units);
        round.push(
            stream::<inventory::Inventory>(it.sku.as_str()),
            &InventoryEvent::StockReserved(StockReserved {
                sku: it.sku.clone(),
                order_id,
                quantity: Quantity::new(i64::from(units))?,
                on_hand: it.on_hand,
                available: it.on_hand - it.reserved,
                at,
            }),
        )
    }

    fn release(&mut self, round: &mut Round, item: usize, order_id: OrderId, units: u32) -> anyhow::Result<()> {
        let at = self.tick();
        let it = &mut self.items[item];
        it.reserved -= u64::from(units);
        round.push(
            stream::<inventory::Inventory>(it.sku.as_str()),
            &InventoryEvent::StockReleased(StockReleased {
                sku: it.sku.clone(),
                order_id,
                quantity: Quantity::new(i64::from(units))?,
                on_hand: it.on_hand,
                available: it.on_hand - it.reserved,
                at,
            }),
        )
    }

    fn commit(&mut self, round: &mut Round, item: usize, order_id: OrderId, units: u32) -> anyhow::Result<()> {
        let at = self.tick();
        let it = &mut self.items[item];
        it.reserved -= u64::from(units);
        it.on_hand -= u64::from(units);
        round.push(
            stream::<inventory::Inventory>(it.sku.as_str()),
            &InventoryEvent::StockCommitted(StockCommitted {
                sku: it.sku.clone(),
                order_id,
                quantity: Quantity::new(i64::from(units))?,
                on_hand: it.on_hand,
                available: it.on_hand - it.reserved,
                at,
            }),
        )
    }

    fn restock(&mut self, round: &mut Round, item: usize) -> anyhow::Result<()> {
        let at = self.tick();
        let it = &mut self.items[item];
        it.on_hand += RESTOCK;
        round.push(
            stream::<inventory::Inventory>(it.sku.as_str()),
            &InventoryEvent::StockReceived(StockReceived {
                sku: it.sku.clone(),
                quantity: Quantity::new(RESTOCK as i64)?,
                on_hand: it.on_hand,
                available: it.on_hand - it.reserved,
                at,
            }),
        )
    }

    fn change_price(&mut self, round: &mut Round) -> anyhow::Result<()> {
        let item = self.rng.below(self.items.len() as u64) as usize;
        let price = Money::new(199 + self.rng.below(20_000) as i64, self.eur)?;
        let at = self.tick();
        let it = &mut self.items[item];
        let previous_price = std::mem::replace(&mut it.price, price);
        round.push(
            stream::<product::Product>(it.id),
            &ProductEvent::ProductPriceChanged(ProductPriceChanged { product_id: it.id, previous_price, price, at }),
        )
    }

    fn rename_category(&mut self, round: &mut Round) -> anyhow::Result<()> {
        let n = self.rng.below(self.categories.len() as u64) as usize;
        let at = self.tick();
        let (category_id, name) = &mut self.categories[n];
        *name = format!("{} (renamed {})", name.split(" (").next().unwrap_or_default(), at.format("%F"));
        round.push(
            stream::<category::Category>(*category_id),
            &CategoryEvent::CategoryRenamed(CategoryRenamed { category_id: *category_id, name: name.clone(), at }),
        )
    }

    /// A mail queued and sent at once.
    fn notify(
        &mut self,
        round: &mut Round,
        customer_id: CustomerId,
        to: &str,
        kind: NotificationKind,
        subject: &str,
    ) -> anyhow::Result<()> {
        let notification_id = NotificationId::from_uuid(self.uuid());
        let stream_id = stream::<notification::Notification>(notification_id);
        let at = self.tick();
        round.push(
            stream_id.clone(),
            &NotificationEvent::NotificationQueued(NotificationQueued {
                notification_id,
                kind,
                channel: Channel::Email,
                customer_id,
                to: to.to_owned(),
                subject: subject.to_owned(),
                text: format!("{subject}.\n\nThank you for shopping with us."),
                html: None,
                retry: RetryPolicy::default(),
                at,
            }),
        )?;
        round
            .push(stream_id, &NotificationEvent::NotificationSent(NotificationSent { notification_id, attempt: 1, at }))
    }

    fn address(&self, shopper: usize) -> anyhow::Result<ShippingAddress> {
        Ok(ShippingAddress {
            name: format!("Shopper {shopper}"),
            line1: format!("{} Market Street", 1 + shopper % 200),
            line2: None,
            city: "Lisbon".to_owned(),
            postal_code: format!("1{:03}-001", shopper % 1000),
            country: CountryCode::parse("PT")?,
        })
    }

    /// The next moment of the shop's day: each step a few seconds after the last.
    fn tick(&mut self) -> DateTime<Utc> {
        self.clock += Duration::seconds(1 + self.rng.below(5) as i64);
        self.clock
    }

    /// A random (version 4) UUID from the seeded generator, so ids repeat per run.
    fn uuid(&mut self) -> Uuid {
        let bytes = (u128::from(self.rng.next()) << 64 | u128::from(self.rng.next())).to_le_bytes();
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }
}

/// Products for a history of `events` events: 50 to 5,000.
fn product_count(events: u64) -> usize {
    (events / 200).clamp(50, 5_000) as usize
}

/// `<category>-<id>`: an aggregate's stream (keyed by typed id, SKU or customer).
fn stream<D: Decider>(id: impl std::fmt::Display) -> String {
    format!("{}-{id}", D::CATEGORY)
}

/// SplitMix64: a tiny seeded generator, enough for a reproducible shop.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}
