//! The notification dispatcher against real SQLite stores: events in the log become
//! mail and SMS exactly once, a failing mail server delays mail and loses none, a
//! restart mid-retry still delivers, and campaigns reach only customers who opted in.
//! The channels (mail server, SMS provider) are the only things faked.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use chrono::Utc;
use emporium_commands::notifications::{NotificationDispatcher, NotificationSettings, UnsubscribeKey};
use emporium_commands::{Command, CommandHandler};
use emporium_domain::customer::{Customer, CustomerCommand};
use emporium_domain::ids::{CustomerId, OrderId, PaymentId, ProductId};
use emporium_domain::money::{Currency, Money};
use emporium_domain::notification::{Campaign, CampaignCommand, CampaignId, Channel, RetryPolicy};
use emporium_domain::order::{
    CountryCode, OrderConfirmed, OrderCreated, OrderEvent, OrderRefunded, OrderShipped, PaymentProcessed,
    PricedOrderLine, ShippingAddress,
};
use emporium_domain::payment::{PaymentCaptured, PaymentEvent, PaymentRefunded};
use emporium_domain::values::{Email, Quantity, Sku};
use emporium_domain::{Decider, DomainEvent};
use emporium_infra::codec::encode;
use emporium_infra::event_store::{AppendRequest, EventMetadata, EventStore, ExpectedVersion};
use emporium_infra::mailer::{MailError, MailMessage, Mailer};
use emporium_infra::read_store::sqlite::SqliteReadStore;
use emporium_infra::read_store::{Query, ReadStore, SortDirection};
use emporium_infra::sms::{SmsError, SmsMessage, SmsSender};
use emporium_projections::ProjectionRunner;
use emporium_projections::models::notifications::{NOTIFICATIONS, NotificationsProjector};
use emporium_tests::stores::StoreBackend;
use serde_json::Value;
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(15);
const PUBLIC_URL: &str = "http://shop.test";

/// A mail server that refuses the first `failures` messages, then accepts everything.
#[derive(Default)]
struct FlakyMailServer {
    failures: AtomicU32,
    attempts: AtomicU32,
    accepted: Mutex<Vec<MailMessage>>,
}

impl FlakyMailServer {
    fn failing(failures: u32) -> Arc<Self> {
        Arc::new(Self { failures: AtomicU32::new(failures), ..Self::default() })
    }

    fn accepted(&self) -> Vec<MailMessage> {
        self.accepted.lock().map(|m| m.clone()).unwrap_or_default()
    }

    fn attempts(&self) -> u32 {
        self.attempts.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl Mailer for FlakyMailServer {
    async fn send(&self, message: &MailMessage) -> Result<(), MailError> {
        self.attempts.fetch_add(1, Ordering::SeqCst);
        let refused =
            self.failures.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| left.checked_sub(1)).is_ok();
        if refused {
            return Err(MailError { to: message.to.clone(), reason: "421 4.3.2 service not available".into() });
        }
        self.accepted
            .lock()
            .map_err(|_| MailError { to: message.to.clone(), reason: "poisoned".into() })?
            .push(message.clone());
        Ok(())
    }
}

/// An SMS provider that accepts everything.
#[derive(Default)]
struct SmsProvider {
    accepted: Mutex<Vec<SmsMessage>>,
}

#[async_trait]
impl SmsSender for SmsProvider {
    async fn send(&self, message: &SmsMessage) -> Result<(), SmsError> {
        self.accepted
            .lock()
            .map_err(|_| SmsError { to: message.to.clone(), reason: "poisoned".into(), permanent: false })?
            .push(message.clone());
        Ok(())
    }
}

/// An event store and a read store on SQLite; `reopen` gives new instances over the
/// same files, as a restarted process would have.
struct Shop {
    backend: StoreBackend,
    _read_dir: tempfile::TempDir,
    read_path: PathBuf,
    events: Arc<dyn EventStore>,
    reads: Arc<dyn ReadStore>,
}

impl Shop {
    async fn new() -> anyhow::Result<Self> {
        let backend = StoreBackend::sqlite()?;
        let read_dir = tempfile::tempdir()?;
        let read_path = read_dir.path().join("read.db");
        let events = backend.open().await?;
        let reads: Arc<dyn ReadStore> = Arc::new(SqliteReadStore::open(&read_path).await?);
        Ok(Self { backend, _read_dir: read_dir, read_path, events, reads })
    }

    async fn reopen(&mut self) -> anyhow::Result<()> {
        self.events = self.backend.open().await?;
        self.reads = Arc::new(SqliteReadStore::open(&self.read_path).await?);
        Ok(())
    }

    fn handler(&self) -> CommandHandler {
        CommandHandler::new(self.events.clone(), 8)
    }

    fn settings(max_attempts: u32) -> anyhow::Result<NotificationSettings> {
        let key = UnsubscribeKey::new(&[42; 32]).context("key")?;
        let mut settings = NotificationSettings::new(PUBLIC_URL, key);
        settings.retry = RetryPolicy { max_attempts, first_delay_ms: 20, max_delay_ms: 160 };
        settings.timer_interval = Duration::from_millis(20);
        Ok(settings)
    }

    fn dispatcher(
        &self,
        mailer: Arc<dyn Mailer>,
        sms: Arc<dyn SmsSender>,
        max_attempts: u32,
    ) -> anyhow::Result<NotificationDispatcher> {
        Ok(NotificationDispatcher::new(self.handler(), self.reads.clone(), mailer, sms, Self::settings(max_attempts)?))
    }

    async fn run<D: Decider>(&self, aggregate_id: String, payload: D::Command) -> anyhow::Result<u64> {
        let command = Command { command_id: Uuid::now_v7(), aggregate_id, payload, metadata: EventMetadata::default() };
        let outcome = self.handler().handle::<D>(&command).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(outcome.position)
    }

    async fn register(&self, name: &str, email: &str) -> anyhow::Result<CustomerId> {
        let customer_id = CustomerId::from_uuid(Uuid::now_v7());
        let command =
            CustomerCommand::Register { customer_id, email: Email::parse(email)?, name: name.into(), at: Utc::now() };
        self.run::<Customer>(customer_id.to_string(), command).await?;
        Ok(customer_id)
    }

    async fn opt_in(&self, customer_id: CustomerId, name: &str, phone: Option<&str>) -> anyhow::Result<u64> {
        let command = CustomerCommand::ChangeProfile {
            customer_id,
            name: name.into(),
            phone: phone.map(Into::into),
            marketing_opt_in: true,
            at: Utc::now(),
        };
        self.run::<Customer>(customer_id.to_string(), command).await
    }

    /// Appends facts straight to the log, as other parts of the shop would have.
    async fn append<E: DomainEvent>(&self, stream_id: String, events: &[E]) -> anyhow::Result<u64> {
        let events = events.iter().map(|e| encode(e, EventMetadata::default())).collect::<Result<Vec<_>, _>>()?;
        let request = AppendRequest { stream_id, expected: ExpectedVersion::Any, events, command_id: None };
        Ok(self.events.append(request).await?.last_position)
    }

    /// The customer's delivery history, projected up to the log's head, newest first.
    async fn history(&self, customer_id: CustomerId) -> anyhow::Result<Vec<Value>> {
        let head = self.events.head_position().await?;
        let running =
            ProjectionRunner::new(self.events.clone(), self.reads.clone(), vec![Arc::new(NotificationsProjector)])
                .spawn();
        let reached = running.wait_for(head, WAIT).await;
        running.stop().await;
        anyhow::ensure!(reached, "the history did not reach position {head}");
        let query = Query::new().filter("customer_id", customer_id.to_string()).sort("created_at", SortDirection::Desc);
        Ok(self.reads.query(NOTIFICATIONS, &query).await?.items)
    }

    /// Every event payload in the log, as text.
    async fn log_text(&self) -> anyhow::Result<String> {
        Ok(self.events.read_all(0, 10_000).await?.iter().map(|e| e.data.to_string()).collect::<Vec<_>>().join("\n"))
    }
}

async fn eventually(what: &str, mut check: impl FnMut() -> bool) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !check() {
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

fn statuses(doc: &Value) -> Vec<String> {
    doc["history"].as_array().into_iter().flatten().filter_map(|s| s["status"].as_str().map(str::to_owned)).collect()
}

fn usd(amount: i64) -> anyhow::Result<Money> {
    Ok(Money::new(amount, Currency::parse("USD")?)?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusing_mail_server_delays_the_welcome_mail_and_the_history_shows_every_retry() -> anyhow::Result<()> {
    let shop = Shop::new().await?;
    let server = FlakyMailServer::failing(3);
    let running = shop.dispatcher(server.clone(), Arc::new(SmsProvider::default()), 6)?.spawn();
    let ann = shop.register("Ann Lee", "ann@example.com").await?;

    eventually("the welcome mail", || server.accepted().len() == 1).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    running.stop().await;

    let accepted = server.accepted();
    assert_eq!(accepted.len(), 1, "sent exactly once");
    assert_eq!(server.attempts(), 4, "three refusals, then success");
    assert_eq!(
        (accepted[0].to.as_str(), accepted[0].subject.as_str()),
        ("ann@example.com", "Welcome to Emporium, Ann Lee")
    );
    assert!(accepted[0].text.starts_with("Hello Ann Lee,") && accepted[0].html.contains("<p>Hello Ann Lee,</p>"));

    let history = shop.history(ann).await?;
    assert_eq!(history.len(), 1, "{history:?}");
    let welcome = &history[0];
    assert_eq!((welcome["kind"].as_str(), welcome["channel"].as_str()), (Some("welcome"), Some("email")));
    assert_eq!((welcome["status"].as_str(), welcome["attempts"].as_u64()), (Some("sent"), Some(4)));
    assert_eq!(welcome["last_error"], "421 4.3.2 service not available");
    assert!(welcome["sent_at"].is_string());
    assert_eq!(statuses(welcome), ["queued", "failed", "retrying", "failed", "retrying", "failed", "retrying", "sent"],);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mail_server_that_never_recovers_is_given_up_on_after_the_last_attempt() -> anyhow::Result<()> {
    let shop = Shop::new().await?;
    let server = FlakyMailServer::failing(u32::MAX);
    let running = shop.dispatcher(server.clone(), Arc::new(SmsProvider::default()), 3)?.spawn();
    let ann = shop.register("Ann", "ann@example.com").await?;
    eventually("three attempts", || server.attempts() >= 3).await?;
    tokio::time::sleep(Duration::from_millis(400)).await;
    running.stop().await;
    assert_eq!(server.attempts(), 3, "never more than the policy allows");
    let history = shop.history(ann).await?;
    assert_eq!((history[0]["status"].as_str(), history[0]["attempts"].as_u64()), (Some("gave_up"), Some(3)));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redelivered_events_never_mail_twice() -> anyhow::Result<()> {
    let shop = Shop::new().await?;
    let server = FlakyMailServer::failing(0);
    let dispatcher = shop.dispatcher(server.clone(), Arc::new(SmsProvider::default()), 6)?;
    shop.register("Ann", "ann@example.com").await?;

    // The customer's event, then the notification it queued; then both again from
    // the start, as a redelivering bus or a reset checkpoint would hand them over.
    for _round in 0..3 {
        let log = shop.events.read_all(0, 1_000).await?;
        dispatcher.process(&log).await?;
        let log = shop.events.read_all(0, 1_000).await?;
        dispatcher.process(&log).await?;
        dispatcher.deliver_due(Utc::now()).await?;
    }
    assert_eq!(server.accepted().len(), 1);
    let queued = shop.events.read_all(0, 1_000).await?.iter().filter(|e| e.event_type == "NotificationQueued").count();
    assert_eq!(queued, 1, "the notification was queued once");

    // A second dispatcher over the same stores (another process) changes nothing either.
    let other = shop.dispatcher(server.clone(), Arc::new(SmsProvider::default()), 6)?;
    other.process(&shop.events.read_all(0, 1_000).await?).await?;
    other.deliver_due(Utc::now()).await?;
    assert_eq!(server.accepted().len(), 1);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_in_the_middle_of_retries_still_delivers_the_mail_once() -> anyhow::Result<()> {
    let mut shop = Shop::new().await?;
    let down = FlakyMailServer::failing(u32::MAX);
    let running = shop.dispatcher(down.clone(), Arc::new(SmsProvider::default()), 10)?.spawn();
    let ann = shop.register("Ann", "ann@example.com").await?;
    eventually("two failed attempts", || down.attempts() >= 2).await?;
    running.stop().await;

    // The process restarts with fresh store connections; the mail server is back.
    shop.reopen().await?;
    let up = FlakyMailServer::failing(0);
    let running = shop.dispatcher(up.clone(), Arc::new(SmsProvider::default()), 10)?.spawn();
    eventually("the delivery after the restart", || up.accepted().len() == 1).await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    running.stop().await;

    assert_eq!(up.accepted().len(), 1);
    assert!(down.accepted().is_empty());
    let history = shop.history(ann).await?;
    let welcome = &history[0];
    assert_eq!(welcome["status"], "sent");
    let failures = statuses(welcome).iter().filter(|s| *s == "failed").count() as u64;
    assert!(failures >= 2, "{welcome}");
    assert_eq!(welcome["attempts"].as_u64(), Some(failures + 1));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_s_life_mails_each_step_once_even_when_two_events_announce_it() -> anyhow::Result<()> {
    let shop = Shop::new().await?;
    let server = FlakyMailServer::failing(0);
    let running = shop.dispatcher(server.clone(), Arc::new(SmsProvider::default()), 6)?.spawn();
    let ann = shop.register("Ann", "ann@example.com").await?;
    let (order_id, payment_id) = (OrderId::from_uuid(Uuid::now_v7()), PaymentId::from_uuid(Uuid::now_v7()));
    let now = Utc::now();
    let line = PricedOrderLine {
        product_id: ProductId::from_uuid(Uuid::now_v7()),
        sku: Sku::parse("MUG")?,
        name: "Mug".into(),
        unit_price: usd(1250)?,
        quantity: Quantity::new(2)?,
        line_total: usd(2500)?,
    };
    let order = format!("order-{order_id}");
    let payment = format!("payment-{payment_id}");
    shop.append(
        order.clone(),
        &[OrderEvent::OrderCreated(OrderCreated {
            order_id,
            customer_id: ann,
            lines: vec![line],
            coupon: None,
            subtotal: usd(2500)?,
            discount: usd(0)?,
            total: usd(2500)?,
            shipping_address: ShippingAddress {
                name: "Ann".into(),
                line1: "1 Main St".into(),
                line2: None,
                city: "Berlin".into(),
                postal_code: "10115".into(),
                country: CountryCode::parse("DE")?,
            },
            payment_method: "pm_card_visa".into(),
            at: now,
        })],
    )
    .await?;
    shop.append(
        payment.clone(),
        &[PaymentEvent::PaymentCaptured(PaymentCaptured { payment_id, order_id, amount: usd(2500)?, at: now })],
    )
    .await?;
    shop.append(
        order.clone(),
        &[
            OrderEvent::PaymentProcessed(PaymentProcessed { order_id, payment_id, amount: usd(2500)?, at: now }),
            OrderEvent::OrderConfirmed(OrderConfirmed { order_id, invoice_number: 7, at: now }),
            OrderEvent::OrderShipped(OrderShipped {
                order_id,
                carrier: "DHL".into(),
                tracking_number: "JD014600006281230704".into(),
                at: now,
            }),
        ],
    )
    .await?;
    let refund = PaymentRefunded {
        payment_id,
        order_id,
        refund_id: "r1".into(),
        amount: usd(500)?,
        total_refunded: usd(500)?,
        at: now,
    };
    shop.append(payment, &[PaymentEvent::PaymentRefunded(refund)]).await?;
    let refunded =
        OrderRefunded { order_id, amount: usd(500)?, total_refunded: usd(500)?, fully_refunded: false, at: now };
    shop.append(order, &[OrderEvent::OrderRefunded(refunded)]).await?;

    eventually("five mails", || server.accepted().len() >= 5).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    running.stop().await;
    let mut subjects: Vec<String> = server.accepted().iter().map(|m| m.subject.clone()).collect();
    subjects.sort();
    assert_eq!(
        subjects,
        [
            "Order confirmed: invoice 7",
            "Payment received: 25.00 USD",
            "Refund of 5.00 USD",
            "Welcome to Emporium, Ann",
            "Your order is on its way"
        ],
    );
    let shipped =
        server.accepted().into_iter().find(|m| m.subject == "Your order is on its way").context("shipping mail")?;
    assert!(shipped.text.contains("Tracking number: JD014600006281230704"));
    let confirmed =
        server.accepted().into_iter().find(|m| m.subject.starts_with("Order confirmed")).context("confirmation")?;
    assert!(confirmed.text.contains("2 x Mug  25.00 USD"), "{}", confirmed.text);
    let kinds: Vec<String> =
        shop.history(ann).await?.iter().filter_map(|d| d["kind"].as_str().map(str::to_owned)).collect();
    assert_eq!(kinds.len(), 5, "{kinds:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_campaign_reaches_only_customers_who_opted_in_with_a_working_unsubscribe_link() -> anyhow::Result<()> {
    let shop = Shop::new().await?;
    let server = FlakyMailServer::failing(0);
    let phones = Arc::new(SmsProvider::default());
    let running = shop.dispatcher(server.clone(), phones.clone(), 6)?.spawn();
    let ann = shop.register("Ann", "ann@example.com").await?;
    let bob = shop.register("Bob", "bob@example.com").await?;
    let cat = shop.register("Cat", "cat@example.com").await?;
    shop.opt_in(ann, "Ann", Some("+44 20 7946 0958")).await?;
    shop.opt_in(cat, "Cat", None).await?;

    let campaign_id = CampaignId::from_uuid(Uuid::now_v7());
    let request = CampaignCommand::Request {
        campaign_id,
        channel: Channel::Email,
        subject: Some("Summer sale".into()),
        body: "Everything 20% off.\n\nOnly <today>.".into(),
        requested_by: bob,
        at: Utc::now(),
    };
    shop.run::<Campaign>(campaign_id.to_string(), request).await?;
    let sms_campaign = CampaignId::from_uuid(Uuid::now_v7());
    let request = CampaignCommand::Request {
        campaign_id: sms_campaign,
        channel: Channel::Sms,
        subject: None,
        body: "Flash sale today".into(),
        requested_by: bob,
        at: Utc::now(),
    };
    shop.run::<Campaign>(sms_campaign.to_string(), request).await?;

    eventually("3 welcomes and 2 promotions", || server.accepted().len() >= 5).await?;
    eventually("one SMS", || phones.accepted.lock().map(|m| m.len()).unwrap_or(0) >= 1).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    running.stop().await;

    let promotions: Vec<MailMessage> = server.accepted().into_iter().filter(|m| m.subject == "Summer sale").collect();
    let mut to: Vec<&str> = promotions.iter().map(|m| m.to.as_str()).collect();
    to.sort_unstable();
    assert_eq!(to, ["ann@example.com", "cat@example.com"], "bob did not opt in");
    let key = UnsubscribeKey::new(&[42; 32]).context("key")?;
    for mail in &promotions {
        let customer = if mail.to.starts_with("ann") { ann } else { cat };
        let link = key.link(PUBLIC_URL, customer);
        assert!(mail.text.contains(&format!("Unsubscribe: {link}\n")), "{}", mail.text);
        assert!(mail.html.contains(&format!("href=\"{link}\"")), "{}", mail.html);
        assert!(mail.html.contains("<p>Only &lt;today&gt;.</p>"));
    }
    let sms = phones.accepted.lock().map(|m| m.clone()).unwrap_or_default();
    assert_eq!(sms.len(), 1, "only Ann has a phone");
    assert_eq!(sms[0].to, "+44 20 7946 0958");
    assert!(sms[0].body.starts_with(
        "Emporium: Flash sale today\nUnsubscribe: http://shop.test/api/v1/notifications/unsubscribe?token="
    ));

    let (campaign, _, _) =
        shop.handler().load::<Campaign>(&campaign_id.to_string()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    assert_eq!(campaign.campaign().and_then(|c| c.recipients), Some(2));
    assert!(!shop.log_text().await?.contains("token="), "no unsubscribe token enters the log");
    Ok(())
}
