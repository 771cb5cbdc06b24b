//! The order fulfilment saga against real stores (SQLite and PostgreSQL) and the
//! simulated payment provider: the checkout journeys, compensation, deadlines,
//! redelivery, restarts and scarce stock under concurrent checkouts.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use emporium_commands::sagas::order_fulfilment::{OrderFulfilment, SagaSettings, Step, StockHold};
use emporium_commands::{Command, CommandHandler};
use emporium_domain::Decider;
use emporium_domain::coupon::{Coupon, CouponCommand};
use emporium_domain::discount::Discount;
use emporium_domain::ids::{CouponId, CustomerId, OrderId, PaymentId, ProductId};
use emporium_domain::inventory::{Inventory, InventoryCommand, InventoryState};
use emporium_domain::invoice::Invoice;
use emporium_domain::money::{Currency, Money};
use emporium_domain::order::{
    CountryCode, Order, OrderCommand, OrderCoupon, OrderLine, OrderStatus, PlacedOrder, ShippingAddress,
};
use emporium_domain::payment::{Payment, PaymentCommand, PaymentStatus};
use emporium_domain::values::{Quantity, Sku};
use emporium_infra::accounts::postgres::PostgresAccountStore;
use emporium_infra::accounts::sqlite::SqliteAccountStore;
use emporium_infra::accounts::{AccountStore, ClaimKind};
use emporium_infra::event_store::{EventMetadata, EventStore, RecordedEvent};
use emporium_infra::follow::Running;
use emporium_infra::payments::simulated::{SimulatedGateway, SimulatedOptions};
use emporium_infra::payments::{AuthorizeRequest, PaymentGateway};
use emporium_infra::read_store::ReadStore;
use emporium_infra::read_store::postgres::PostgresReadStore;
use emporium_infra::read_store::sqlite::SqliteReadStore;
use emporium_tests::stores::StoreBackend;
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(60);
const VISA: &str = "pm_card_visa";
const DECLINED: &str = "pm_card_chargeDeclined";

macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() -> anyhow::Result<()> {
                    super::$name(emporium_tests::stores::StoreBackend::sqlite()?).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() -> anyhow::Result<()> {
                    super::$name(emporium_tests::stores::StoreBackend::postgres().await?).await
                }
            )*
        }
    };
}

on_both_stores!(
    a_paid_order_is_confirmed_with_its_stock_sold_and_the_next_invoice_number,
    an_order_with_a_line_out_of_stock_is_cancelled_and_holds_no_stock,
    a_declined_payment_waits_for_a_new_method_which_reserves_again_and_confirms,
    an_order_awaiting_payment_is_cancelled_when_its_deadline_passes_even_across_a_restart,
    cancelling_a_paid_order_refunds_it_in_full_and_returns_its_units,
    a_payment_recorded_outside_the_saga_reserves_again_and_confirms,
    cancelling_before_payment_releases_the_stock_and_the_coupon,
    handling_every_event_again_reserves_nothing_and_charges_nothing_twice,
    the_same_event_handled_by_two_saga_instances_at_once_charges_once,
    scarce_stock_is_never_oversold_under_concurrent_checkouts,
    transient_gateway_failures_are_retried_without_charging_twice,
);

// Restarts get their own module so they can be run alone:
// `cargo nextest run -p emporium-tests --test saga_order_fulfilment restarts`.
mod restarts {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sqlite_restarts_mid_saga_leave_every_order_in_exactly_one_consistent_state() -> anyhow::Result<()> {
        super::restarts_mid_saga_leave_every_order_in_exactly_one_consistent_state(
            emporium_tests::stores::StoreBackend::sqlite()?,
        )
        .await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres_restarts_mid_saga_leave_every_order_in_exactly_one_consistent_state() -> anyhow::Result<()> {
        super::restarts_mid_saga_leave_every_order_in_exactly_one_consistent_state(
            emporium_tests::stores::StoreBackend::postgres().await?,
        )
        .await
    }
}

/// Event store, read store, account store and simulated provider over one backend;
/// [`Shop::saga`] builds a fresh saga instance, as a restarted process would.
struct Shop {
    _backend: StoreBackend,
    _dir: tempfile::TempDir,
    events: Arc<dyn EventStore>,
    handler: CommandHandler,
    reads: Arc<dyn ReadStore>,
    accounts: Arc<dyn AccountStore>,
    gateway: Arc<SimulatedGateway>,
    settings: SagaSettings,
}

impl Shop {
    async fn open(backend: StoreBackend) -> anyhow::Result<Self> {
        Self::with(backend, SagaSettings::default(), SimulatedGateway::default()).await
    }

    async fn with(backend: StoreBackend, settings: SagaSettings, gateway: SimulatedGateway) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let events = backend.open().await?;
        let (reads, accounts): (Arc<dyn ReadStore>, Arc<dyn AccountStore>) = match &backend {
            StoreBackend::Sqlite(_) => (
                Arc::new(SqliteReadStore::open(dir.path().join("read.db")).await?),
                Arc::new(SqliteAccountStore::open(&dir.path().join("accounts.db")).await?),
            ),
            StoreBackend::Postgres(db) => (
                Arc::new(PostgresReadStore::connect(&db.url).await?),
                Arc::new(PostgresAccountStore::connect(&db.url).await?),
            ),
        };
        let handler = CommandHandler::new(Arc::clone(&events), 200);
        Ok(Self {
            _backend: backend,
            _dir: dir,
            events,
            handler,
            reads,
            accounts,
            gateway: Arc::new(gateway),
            settings,
        })
    }

    fn saga(&self) -> OrderFulfilment {
        let gateway: Arc<dyn PaymentGateway> = self.gateway.clone();
        OrderFulfilment::new(
            self.handler.clone(),
            self.reads.clone(),
            self.accounts.clone(),
            gateway,
            self.settings.clone(),
        )
    }

    /// Sends a command as a customer or the back office would.
    async fn run<D: Decider>(&self, aggregate_id: &str, payload: D::Command) -> anyhow::Result<()> {
        let command = Command {
            command_id: Uuid::now_v7(),
            aggregate_id: aggregate_id.to_owned(),
            payload,
            metadata: EventMetadata { actor: Some("test".into()), ..EventMetadata::default() },
        };
        self.handler.handle::<D>(&command).await?;
        Ok(())
    }

    async fn receive(&self, sku: &str, units: i64) -> anyhow::Result<()> {
        let sku = Sku::parse(sku)?;
        let command =
            InventoryCommand::ReceiveStock { sku: sku.clone(), quantity: Quantity::new(units)?, at: Utc::now() };
        self.run::<Inventory>(sku.as_str(), command).await
    }

    /// Places an order of `(sku, units)` lines at 12.50 EUR a unit.
    async fn place(&self, lines: &[(&str, i64)], payment_method: &str) -> anyhow::Result<OrderId> {
        self.place_with(lines, payment_method, None).await
    }

    async fn place_with(
        &self,
        lines: &[(&str, i64)],
        payment_method: &str,
        coupon: Option<OrderCoupon>,
    ) -> anyhow::Result<OrderId> {
        let order_id = OrderId::from_uuid(Uuid::now_v7());
        let lines = lines
            .iter()
            .map(|(sku, units)| {
                Ok(OrderLine {
                    product_id: ProductId::from_uuid(Uuid::now_v7()),
                    sku: Sku::parse(sku)?,
                    name: format!("{sku} item"),
                    unit_price: eur(1250)?,
                    quantity: Quantity::new(*units)?,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let command = OrderCommand::Create {
            order_id,
            customer_id: CustomerId::from_uuid(Uuid::now_v7()),
            lines,
            coupon,
            shipping_address: ShippingAddress {
                name: "Ada Lovelace".into(),
                line1: "1 Analytical Way".into(),
                line2: None,
                city: "London".into(),
                postal_code: "N1 1AA".into(),
                country: CountryCode::parse("GB")?,
            },
            payment_method: payment_method.into(),
            at: Utc::now(),
        };
        self.run::<Order>(&order_id.to_string(), command).await?;
        Ok(order_id)
    }

    async fn order(&self, order_id: OrderId) -> anyhow::Result<PlacedOrder> {
        let (state, _, _) = self.handler.load::<Order>(&order_id.to_string()).await?;
        state.order().cloned().ok_or_else(|| anyhow::anyhow!("no order {order_id}"))
    }

    /// Waits until the order reaches `status`.
    async fn wait_for(&self, order_id: OrderId, status: OrderStatus) -> anyhow::Result<PlacedOrder> {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let order = self.order(order_id).await?;
            if order.status == status {
                return Ok(order);
            }
            anyhow::ensure!(
                tokio::time::Instant::now() < deadline,
                "order {order_id} is {} after {WAIT:?}, not {status} (history {:?})",
                order.status,
                order.status_history
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits until every order is in one of `statuses`.
    async fn wait_until_settled(
        &self,
        orders: &[OrderId],
        statuses: &[OrderStatus],
    ) -> anyhow::Result<Vec<PlacedOrder>> {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let mut settled = Vec::with_capacity(orders.len());
            for order_id in orders {
                settled.push(self.order(*order_id).await?);
            }
            if settled.iter().all(|order| statuses.contains(&order.status)) {
                return Ok(settled);
            }
            anyhow::ensure!(tokio::time::Instant::now() < deadline, "orders did not settle within {WAIT:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the saga has handled everything in the log, its own events included.
    async fn caught_up(&self, running: &Running) -> anyhow::Result<()> {
        loop {
            let head = self.events.head_position().await?;
            anyhow::ensure!(running.wait_for(head, WAIT).await, "the saga did not reach position {head}");
            if self.events.head_position().await? == head {
                return Ok(());
            }
        }
    }

    async fn stock(&self, sku: &str) -> anyhow::Result<InventoryState> {
        Ok(self.handler.load::<Inventory>(sku).await?.0)
    }

    async fn log(&self) -> anyhow::Result<Vec<RecordedEvent>> {
        Ok(self.events.read_all(0, 100_000).await?)
    }

    /// Events of `event_type` about `order_id` anywhere in the log.
    async fn count(&self, event_type: &str, order_id: OrderId) -> anyhow::Result<usize> {
        let id = order_id.to_string();
        Ok(self
            .log()
            .await?
            .iter()
            .filter(|e| e.event_type == event_type && e.data["order_id"].as_str() == Some(id.as_str()))
            .count())
    }

    /// What the simulated provider captured and refunded for an order's total, over
    /// all of its authorisations.
    fn charged(&self, order: &PlacedOrder) -> (usize, i64, i64) {
        let description_total = order.total;
        let payments: Vec<_> = self
            .gateway
            .payments()
            .into_iter()
            .filter(|p| p.authorized == description_total && p.captured.is_some())
            .collect();
        let captured = payments.iter().filter_map(|p| p.captured).map(|m| m.amount()).sum();
        let refunded = payments.iter().map(|p| p.refunded.amount()).sum();
        (payments.len(), captured, refunded)
    }
}

fn eur(amount: i64) -> anyhow::Result<Money> {
    Ok(Money::new(amount, Currency::parse("EUR")?)?)
}

fn fast_settings() -> SagaSettings {
    SagaSettings {
        timer_interval: Duration::from_millis(100),
        gateway_backoff: Duration::from_millis(1),
        ..SagaSettings::default()
    }
}

async fn a_paid_order_is_confirmed_with_its_stock_sold_and_the_next_invoice_number(
    backend: StoreBackend,
) -> anyhow::Result<()> {
    let shop = Shop::open(backend).await?;
    shop.receive("MUG", 5).await?;
    shop.receive("TEE", 3).await?;
    // A saved payment method: the order names the method, the account store holds its token.
    let saved_method = Uuid::now_v7().to_string();
    shop.accounts.claim_unique(ClaimKind::PaymentToken, &saved_method, VISA).await?;
    let running = shop.saga().spawn();
    let first = shop.place(&[("MUG", 2), ("TEE", 1), ("MUG", 1)], &saved_method).await?;
    let order = shop.wait_for(first, OrderStatus::Confirmed).await?;
    let second = shop.place(&[("TEE", 2)], VISA).await?;
    let second_order = shop.wait_for(second, OrderStatus::Confirmed).await?;
    shop.caught_up(&running).await?;
    running.stop().await;

    assert_eq!((order.invoice_number, second_order.invoice_number), (Some(1), Some(2)));
    let statuses: Vec<_> = order.status_history.iter().map(|(status, _)| *status).collect();
    assert_eq!(statuses, [OrderStatus::Pending, OrderStatus::Paid, OrderStatus::Confirmed]);
    assert!(order.items_reserved);
    assert_eq!(order.paid, order.total);
    let mug = shop.stock("MUG").await?;
    assert_eq!((mug.on_hand(), mug.reserved(), mug.available(), mug.committed()), (2, 0, 2, 3));
    let tee = shop.stock("TEE").await?;
    assert_eq!((tee.on_hand(), tee.reserved(), tee.committed()), (0, 0, 3));
    assert_eq!(shop.charged(&order), (1, order.total.amount(), 0));
    let payment = shop.handler.load::<Payment>(&order.payment_id.map(|id| id.to_string()).unwrap_or_default()).await?.0;
    assert_eq!(payment.payment().map(|p| p.status), Some(PaymentStatus::Captured));
    let invoices = shop.handler.load::<Invoice>(Invoice::SEQUENCE).await?.0;
    assert_eq!((invoices.last_number(), invoices.last_order()), (2, Some(second)));
    let state = shop.saga().state(first).await?.ok_or_else(|| anyhow::anyhow!("no saga state"))?;
    assert_eq!(
        (state.step, state.stock, state.invoice_number, state.deadline_ms),
        (Step::Confirmed, StockHold::Committed, Some(1), None)
    );
    Ok(())
}

async fn an_order_with_a_line_out_of_stock_is_cancelled_and_holds_no_stock(
    backend: StoreBackend,
) -> anyhow::Result<()> {
    let shop = Shop::open(backend).await?;
    shop.receive("MUG", 5).await?;
    shop.receive("TEE", 1).await?;
    let running = shop.saga().spawn();
    let order_id = shop.place(&[("MUG", 2), ("TEE", 2)], VISA).await?;
    let order = shop.wait_for(order_id, OrderStatus::Cancelled).await?;
    shop.caught_up(&running).await?;
    running.stop().await;

    let reason = order.cancellation_reason.unwrap_or_default();
    assert!(reason.starts_with("insufficient stock for SKU TEE"), "{reason}");
    let mug = shop.stock("MUG").await?;
    assert_eq!((mug.available(), mug.reserved()), (5, 0));
    assert_eq!(shop.stock("TEE").await?.available(), 1);
    assert_eq!(shop.count("StockReserved", order_id).await?, 1, "MUG was held, then released");
    assert_eq!(shop.count("StockReleased", order_id).await?, 1);
    assert!(shop.gateway.payments().is_empty(), "nothing was charged");
    assert_eq!(order.payment_id, None);
    Ok(())
}

async fn a_declined_payment_waits_for_a_new_method_which_reserves_again_and_confirms(
    backend: StoreBackend,
) -> anyhow::Result<()> {
    let shop = Shop::open(backend).await?;
    shop.receive("MUG", 2).await?;
    let running = shop.saga().spawn();
    let order_id = shop.place(&[("MUG", 2)], DECLINED).await?;
    let waiting = shop.wait_for(order_id, OrderStatus::AwaitingPayment).await?;
    assert!(waiting.last_payment_failure.as_deref().unwrap_or_default().contains("generic_decline"));
    let deadline = waiting.payment_deadline.ok_or_else(|| anyhow::anyhow!("no deadline"))?;
    let wait = deadline - Utc::now();
    assert!(wait > chrono::Duration::minutes(14) && wait <= chrono::Duration::minutes(15), "{wait}");
    let mug = shop.stock("MUG").await?;
    assert_eq!((mug.available(), mug.reserved()), (2, 0), "a declined order holds no stock");
    // The saga's state carries the deadline as a number the timer can range over.
    let deadline_ms = loop {
        if let Some(ms) = shop.saga().state(order_id).await?.and_then(|s| s.deadline_ms) {
            break ms;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(deadline_ms, deadline.timestamp_millis());

    shop.run::<Order>(
        &order_id.to_string(),
        OrderCommand::ChangePaymentMethod { order_id, payment_method: VISA.into(), at: Utc::now() },
    )
    .await?;
    let order = shop.wait_for(order_id, OrderStatus::Confirmed).await?;
    shop.caught_up(&running).await?;
    running.stop().await;

    let statuses: Vec<_> = order.status_history.iter().map(|(status, _)| *status).collect();
    assert_eq!(
        statuses,
        [
            OrderStatus::Pending,
            OrderStatus::AwaitingPayment,
            OrderStatus::Pending,
            OrderStatus::Paid,
            OrderStatus::Confirmed
        ]
    );
    let mug = shop.stock("MUG").await?;
    assert_eq!((mug.on_hand(), mug.reserved(), mug.committed()), (0, 0, 2));
    assert_eq!(shop.count("StockReserved", order_id).await?, 2, "once per attempt");
    assert_eq!(shop.count("PaymentFailed", order_id).await?, 1);
    assert_eq!(shop.count("PaymentCaptured", order_id).await?, 1);
    assert_eq!(shop.charged(&order), (1, order.total.amount(), 0));
    Ok(())
}

async fn an_order_awaiting_payment_is_cancelled_when_its_deadline_passes_even_across_a_restart(
    backend: StoreBackend,
) -> anyhow::Result<()> {
    let settings = SagaSettings { payment_deadline: Duration::from_secs(1), ..fast_settings() };
    let shop = Shop::with(backend, settings, SimulatedGateway::default()).await?;
    shop.receive("MUG", 3).await?;
    let running = shop.saga().spawn();
    let order_id = shop.place(&[("MUG", 3)], DECLINED).await?;
    shop.wait_for(order_id, OrderStatus::AwaitingPayment).await?;
    shop.caught_up(&running).await?;
    // The process stops before the deadline and comes back after it.
    running.stop().await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let late = shop
        .run::<Order>(
            &order_id.to_string(),
            OrderCommand::ChangePaymentMethod { order_id, payment_method: VISA.into(), at: Utc::now() },
        )
        .await;
    assert!(late.is_err(), "a new method after the deadline is refused");
    let running = shop.saga().spawn();
    let order = shop.wait_for(order_id, OrderStatus::Cancelled).await?;
    shop.caught_up(&running).await?;
    running.stop().await;

    let reason = order.cancellation_reason.unwrap_or_default();
    assert!(reason.starts_with("payment deadline expired"), "{reason}");
    assert!(reason.contains("generic_decline"), "{reason}");
    let mug = shop.stock("MUG").await?;
    assert_eq!((mug.available(), mug.reserved()), (3, 0));
    assert_eq!(shop.count("OrderCancelled", order_id).await?, 1);
    let state = shop.saga().state(order_id).await?.ok_or_else(|| anyhow::anyhow!("no saga state"))?;
    assert_eq!((state.step, state.deadline_ms), (Step::Cancelled, None));
    // Firing again changes nothing.
    assert_eq!(shop.saga().fire_due_deadlines(Utc::now()).await?, 0);
    Ok(())
}

async fn cancelling_a_paid_order_refunds_it_in_full_and_returns_its_units(backend: StoreBackend) -> anyhow::Result<()> {
    let shop = Shop::open(backend).await?;
    shop.receive("MUG", 4).await?;
    let running = shop.saga().spawn();
    let order_id = shop.place(&[("MUG", 3)], VISA).await?;
    shop.wait_for(order_id, OrderStatus::Confirmed).await?;
    shop.run::<Order>(
        &order_id.to_string(),
        OrderCommand::Cancel { order_id, reason: "changed my mind".into(), at: Utc::now() },
    )
    .await?;
    let order = shop.wait_for(order_id, OrderStatus::Refunded).await?;
    shop.caught_up(&running).await?;
    running.stop().await;

    assert_eq!(order.refunded, order.total);
    assert_eq!(order.cancellation_reason.as_deref(), Some("changed my mind"));
    let payment_id = order.payment_id.map(|id| id.to_string()).unwrap_or_default();
    let payment = shop.handler.load::<Payment>(&payment_id).await?.0;
    let payment = payment.payment().ok_or_else(|| anyhow::anyhow!("no payment"))?;
    assert_eq!((payment.status, payment.refunded), (PaymentStatus::Refunded, order.total));
    assert_eq!(shop.charged(&order), (1, order.total.amount(), order.total.amount()));
    let mug = shop.stock("MUG").await?;
    assert_eq!((mug.on_hand(), mug.available(), mug.reserved()), (4, 4, 0), "sold units are back on the shelf");
    Ok(())
}

async fn cancelling_before_payment_releases_the_stock_and_the_coupon(backend: StoreBackend) -> anyhow::Result<()> {
    let shop = Shop::open(backend).await?;
    shop.receive("MUG", 2).await?;
    let coupon_id = CouponId::from_uuid(Uuid::now_v7());
    let now = Utc::now();
    shop.run::<Coupon>(
        &coupon_id.to_string(),
        CouponCommand::CreateCoupon {
            coupon_id,
            code: "SAVE10".into(),
            discount: Discount::Percent { percent: 10 },
            valid_from: now - chrono::Duration::days(1),
            valid_until: now + chrono::Duration::days(1),
            max_uses: Some(1),
            at: now,
        },
    )
    .await?;
    shop.accounts.claim_unique(ClaimKind::CouponCode, "SAVE10", &coupon_id.to_string()).await?;
    // A declined order holds the coupon while it awaits payment; the customer cancels.
    let coupon = OrderCoupon { code: "SAVE10".into(), discount: Discount::Percent { percent: 10 } };
    let order_id = shop.place_with(&[("MUG", 2)], DECLINED, Some(coupon)).await?;
    shop.run::<Coupon>(&coupon_id.to_string(), CouponCommand::Redeem { coupon_id, order_id, at: Utc::now() }).await?;
    let running = shop.saga().spawn();
    shop.wait_for(order_id, OrderStatus::AwaitingPayment).await?;
    shop.run::<Order>(
        &order_id.to_string(),
        OrderCommand::Cancel { order_id, reason: "too slow".into(), at: Utc::now() },
    )
    .await?;
    shop.wait_for(order_id, OrderStatus::Cancelled).await?;
    let deadline = tokio::time::Instant::now() + WAIT;
    let released = loop {
        let coupon = shop.handler.load::<Coupon>(&coupon_id.to_string()).await?.0;
        let uses = coupon.coupon().map(|c| (c.uses(), c.is_redeemed_by(&order_id)));
        if uses == Some((0, false)) || tokio::time::Instant::now() > deadline {
            break uses;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    running.stop().await;

    assert_eq!(released, Some((0, false)), "the coupon's use is given back");
    let mug = shop.stock("MUG").await?;
    assert_eq!((mug.available(), mug.reserved()), (2, 0));
    assert!(shop.gateway.payments().iter().all(|p| p.captured.is_none()), "nothing was captured");
    Ok(())
}

/// Four journeys run to the end: confirmed, declined (awaiting payment), out of stock,
/// and cancelled after payment.
async fn four_journeys(shop: &Shop) -> anyhow::Result<Vec<OrderId>> {
    shop.receive("MUG", 3).await?;
    let running = shop.saga().spawn();
    let confirmed = shop.place(&[("MUG", 1)], VISA).await?;
    let declined = shop.place(&[("MUG", 1)], DECLINED).await?;
    let short = shop.place(&[("MUG", 9)], VISA).await?;
    let refunded = shop.place(&[("MUG", 1)], VISA).await?;
    shop.wait_for(refunded, OrderStatus::Confirmed).await?;
    shop.run::<Order>(
        &refunded.to_string(),
        OrderCommand::Cancel { order_id: refunded, reason: "changed my mind".into(), at: Utc::now() },
    )
    .await?;
    shop.wait_for(confirmed, OrderStatus::Confirmed).await?;
    shop.wait_for(declined, OrderStatus::AwaitingPayment).await?;
    shop.wait_for(short, OrderStatus::Cancelled).await?;
    shop.wait_for(refunded, OrderStatus::Refunded).await?;
    shop.caught_up(&running).await?;
    running.stop().await;
    Ok(vec![confirmed, declined, short, refunded])
}

async fn handling_every_event_again_reserves_nothing_and_charges_nothing_twice(
    backend: StoreBackend,
) -> anyhow::Result<()> {
    let shop = Shop::open(backend).await?;
    let orders = four_journeys(&shop).await?;
    let head = shop.events.head_position().await?;
    let ledger = shop.gateway.payments();
    let mug = shop.stock("MUG").await?;

    // Every event delivered again, one at a time, to a new saga instance.
    let saga = shop.saga();
    for event in shop.log().await? {
        assert!(!saga.process(std::slice::from_ref(&event)).await?, "the checkpoint is already past");
    }
    assert_eq!(shop.events.head_position().await?, head, "a redelivery appends nothing");
    assert_eq!(shop.gateway.payments(), ledger, "a redelivery calls the provider for nothing new");

    // The checkpoint and every saga state lost: the saga replays the whole log.
    shop.reads.reset(OrderFulfilment::NAME, &[OrderFulfilment::COLLECTION]).await?;
    let running = shop.saga().spawn();
    anyhow::ensure!(running.wait_for(head, WAIT).await, "the replay did not reach the head");
    tokio::time::sleep(Duration::from_millis(200)).await;
    running.stop().await;
    assert_eq!(shop.events.head_position().await?, head, "a replay appends nothing");
    assert_eq!(shop.gateway.payments(), ledger);
    let after = shop.stock("MUG").await?;
    assert_eq!(
        (after.on_hand(), after.reserved(), after.committed()),
        (mug.on_hand(), mug.reserved(), mug.committed())
    );
    assert_eq!(
        (after.on_hand(), after.reserved(), after.committed()),
        (2, 0, 2),
        "1 sold and kept, 1 sold and returned"
    );
    let statuses: Vec<_> = {
        let mut statuses = Vec::new();
        for order_id in &orders {
            statuses.push(shop.order(*order_id).await?.status);
        }
        statuses
    };
    assert_eq!(
        statuses,
        [OrderStatus::Confirmed, OrderStatus::AwaitingPayment, OrderStatus::Cancelled, OrderStatus::Refunded]
    );
    for order_id in &orders {
        assert!(shop.count("PaymentCaptured", *order_id).await? <= 1);
        assert!(shop.count("StockReserved", *order_id).await? <= 1);
    }
    // The saga state was rebuilt from the replay.
    let state = shop.saga().state(orders[1]).await?.ok_or_else(|| anyhow::anyhow!("no saga state"))?;
    assert_eq!(state.step, Step::AwaitingPayment);
    assert!(state.deadline_ms.is_some());
    Ok(())
}

async fn the_same_event_handled_by_two_saga_instances_at_once_charges_once(
    backend: StoreBackend,
) -> anyhow::Result<()> {
    let shop = Shop::open(backend).await?;
    shop.receive("MUG", 5).await?;
    let order_id = shop.place(&[("MUG", 2)], VISA).await?;
    let created: Vec<RecordedEvent> =
        shop.log().await?.into_iter().filter(|e| e.event_type == "OrderCreated").collect();
    let (one, two) = (shop.saga(), shop.saga());
    let (a, b) = tokio::join!(one.process(&created), two.process(&created));
    a?;
    b?;
    let order = shop.wait_for(order_id, OrderStatus::Confirmed).await?;
    assert_eq!(shop.count("StockReserved", order_id).await?, 1);
    assert_eq!(shop.count("StockCommitted", order_id).await?, 1);
    assert_eq!(shop.count("PaymentCaptured", order_id).await?, 1);
    assert_eq!(shop.count("InvoiceNumberAssigned", order_id).await?, 1);
    assert_eq!(shop.charged(&order), (1, order.total.amount(), 0));
    assert_eq!(shop.gateway.payments().len(), 1, "one authorisation");
    let mug = shop.stock("MUG").await?;
    assert_eq!((mug.on_hand(), mug.reserved()), (3, 0));
    Ok(())
}

async fn restarts_mid_saga_leave_every_order_in_exactly_one_consistent_state(
    backend: StoreBackend,
) -> anyhow::Result<()> {
    // Small batches: checkpoints advance between restarts, and stops land both inside a
    // batch (redone) and between batches.
    let settings = SagaSettings { batch_size: 5, concurrency: 4, ..fast_settings() };
    let shop = Shop::with(backend, settings, SimulatedGateway::default()).await?;
    shop.receive("MUG", 100).await?;
    let mut orders = Vec::new();
    for i in 0..24 {
        let method = if i % 3 == 0 { DECLINED } else { VISA };
        orders.push((shop.place(&[("MUG", 2)], method).await?, method));
    }
    // Start and stop the saga again and again, each time after a short while, so it
    // stops in the middle of steps; the last run is left to finish.
    for round in 0..12u64 {
        let running = shop.saga().spawn();
        tokio::time::sleep(Duration::from_millis(20 + round * 7 % 60)).await;
        running.stop().await;
    }
    let running = shop.saga().spawn();
    let ids: Vec<OrderId> = orders.iter().map(|(id, _)| *id).collect();
    let settled = shop.wait_until_settled(&ids, &[OrderStatus::Confirmed, OrderStatus::AwaitingPayment]).await?;
    shop.caught_up(&running).await?;
    running.stop().await;

    let mut confirmed = 0u64;
    let mut invoice_numbers = Vec::new();
    for ((order_id, method), order) in orders.iter().zip(&settled) {
        let expected = if *method == VISA { OrderStatus::Confirmed } else { OrderStatus::AwaitingPayment };
        assert_eq!(order.status, expected, "order {order_id}");
        assert_eq!(shop.count("StockReserved", *order_id).await?, 1, "reserved once: {order_id}");
        if expected == OrderStatus::Confirmed {
            confirmed += 1;
            invoice_numbers.extend(order.invoice_number);
            assert_eq!(shop.count("PaymentCaptured", *order_id).await?, 1);
            assert_eq!(shop.count("StockCommitted", *order_id).await?, 1);
            assert_eq!(shop.count("StockReleased", *order_id).await?, 0);
        } else {
            assert_eq!(shop.count("PaymentFailed", *order_id).await?, 1);
            assert_eq!(shop.count("StockReleased", *order_id).await?, 1);
            assert_eq!(shop.count("OrderPaymentFailed", *order_id).await?, 1);
        }
    }
    invoice_numbers.sort_unstable();
    assert_eq!(invoice_numbers, (1..=confirmed).collect::<Vec<_>>(), "gap-free invoice numbers");
    let captured: Vec<_> = shop.gateway.payments().into_iter().filter(|p| p.captured.is_some()).collect();
    assert_eq!(captured.len() as u64, confirmed, "one capture per confirmed order");
    let mug = shop.stock("MUG").await?;
    assert_eq!((mug.on_hand(), mug.reserved(), mug.committed()), (100 - 2 * confirmed, 0, 2 * confirmed));
    Ok(())
}

async fn scarce_stock_is_never_oversold_under_concurrent_checkouts(backend: StoreBackend) -> anyhow::Result<()> {
    let shop = Arc::new(Shop::open(backend).await?);
    shop.receive("LAST-UNITS", 20).await?;
    let running = shop.saga().spawn();
    let checkouts: Vec<_> = (0..200)
        .map(|_| {
            let shop = Arc::clone(&shop);
            tokio::spawn(async move { shop.place(&[("LAST-UNITS", 1)], VISA).await })
        })
        .collect();
    let mut orders = Vec::new();
    for checkout in checkouts {
        orders.push(checkout.await??);
    }
    let settled = shop.wait_until_settled(&orders, &[OrderStatus::Confirmed, OrderStatus::Cancelled]).await?;
    shop.caught_up(&running).await?;
    running.stop().await;

    let confirmed = settled.iter().filter(|o| o.status == OrderStatus::Confirmed).count();
    let short = settled
        .iter()
        .filter(|o| {
            o.status == OrderStatus::Cancelled
                && o.cancellation_reason
                    .as_deref()
                    .is_some_and(|r| r.starts_with("insufficient stock for SKU LAST-UNITS"))
        })
        .count();
    assert_eq!((confirmed, short), (20, 180));
    let stock = shop.stock("LAST-UNITS").await?;
    assert_eq!((stock.on_hand(), stock.available(), stock.reserved(), stock.committed()), (0, 0, 0, 20));
    let captured = shop.gateway.payments().into_iter().filter(|p| p.captured.is_some()).count();
    assert_eq!(captured, 20, "only confirmed orders were charged");
    Ok(())
}

async fn transient_gateway_failures_are_retried_without_charging_twice(backend: StoreBackend) -> anyhow::Result<()> {
    let settings = SagaSettings { gateway_attempts: 14, ..fast_settings() };
    let gateway = SimulatedGateway::new(SimulatedOptions { failure_rate: 0.4, ..SimulatedOptions::default() });
    let shop = Shop::with(backend, settings, gateway).await?;
    shop.receive("MUG", 10).await?;
    let running = shop.saga().spawn();
    let mut orders = Vec::new();
    for _ in 0..6 {
        orders.push(shop.place(&[("MUG", 1)], VISA).await?);
    }
    shop.wait_until_settled(&orders, &[OrderStatus::Confirmed]).await?;
    for order_id in &orders[..2] {
        shop.run::<Order>(
            &order_id.to_string(),
            OrderCommand::Cancel { order_id: *order_id, reason: "no".into(), at: Utc::now() },
        )
        .await?;
    }
    let settled = shop.wait_until_settled(&orders[..2], &[OrderStatus::Refunded]).await?;
    shop.caught_up(&running).await?;
    running.stop().await;

    let ledger = shop.gateway.payments();
    assert_eq!(ledger.len(), 6, "one authorisation per order, however often a call was retried");
    assert!(ledger.iter().all(|p| p.captured == Some(p.authorized)), "each captured once, in full");
    assert_eq!(ledger.iter().filter(|p| p.refunded == p.authorized).count(), 2);
    for order in &settled {
        assert_eq!(order.refunded, order.total);
    }
    let mug = shop.stock("MUG").await?;
    assert_eq!((mug.on_hand(), mug.reserved(), mug.committed()), (6, 0, 6));
    Ok(())
}

async fn a_payment_recorded_outside_the_saga_reserves_again_and_confirms(backend: StoreBackend) -> anyhow::Result<()> {
    let shop = Shop::open(backend).await?;
    shop.receive("MUG", 2).await?;
    let running = shop.saga().spawn();
    let order_id = shop.place(&[("MUG", 2)], DECLINED).await?;
    let waiting = shop.wait_for(order_id, OrderStatus::AwaitingPayment).await?;
    // The payments endpoint charges the order itself, as `POST /payments/process` may.
    let payment_id = PaymentId::from_uuid(Uuid::now_v7());
    let authorization = shop
        .gateway
        .authorize(&AuthorizeRequest {
            idempotency_key: format!("test-{payment_id}"),
            amount: waiting.total,
            method_token: VISA.into(),
            description: format!("order {order_id}"),
            payment_reference: payment_id.to_string(),
        })
        .await?;
    shop.gateway
        .capture(&format!("test-{payment_id}-capture"), &authorization.provider_reference, &waiting.total)
        .await?;
    let request = PaymentCommand::Request {
        payment_id,
        order_id,
        customer_id: waiting.customer_id,
        amount: waiting.total,
        method_token: VISA.into(),
        at: Utc::now(),
    };
    shop.run::<Payment>(&payment_id.to_string(), request).await?;
    let authorize =
        PaymentCommand::Authorize { payment_id, provider_reference: authorization.provider_reference, at: Utc::now() };
    shop.run::<Payment>(&payment_id.to_string(), authorize).await?;
    shop.run::<Payment>(
        &payment_id.to_string(),
        PaymentCommand::Capture { payment_id, amount: waiting.total, at: Utc::now() },
    )
    .await?;
    let paid = OrderCommand::RecordPaymentProcessed { order_id, payment_id, amount: waiting.total, at: Utc::now() };
    shop.run::<Order>(&order_id.to_string(), paid).await?;
    let order = shop.wait_for(order_id, OrderStatus::Confirmed).await?;
    shop.caught_up(&running).await?;
    running.stop().await;

    assert_eq!((order.payment_id, order.invoice_number), (Some(payment_id), Some(1)));
    let mug = shop.stock("MUG").await?;
    assert_eq!((mug.on_hand(), mug.reserved(), mug.committed()), (0, 0, 2), "reserved again, then sold");
    assert_eq!(shop.count("StockReserved", order_id).await?, 2);
    assert_eq!(shop.count("PaymentCaptured", order_id).await?, 1, "the saga charged nothing more");
    Ok(())
}
