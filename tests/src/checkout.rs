//! Checkout journeys from outside: place orders against a running [`TestApp`], wait
//! for the fulfilment saga to settle them, and check that the order views, the
//! stock, Emporium's payment views, the simulated provider's own journal and the mail
//! outbox all tell the same story.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::Context;
use futures::StreamExt;
use serde_json::{Value, json};

use crate::app::{ApiResponse, TestApp};

/// Statuses an order rests in once the saga is done with it (short of a deadline).
pub const SETTLED: &[&str] = &["confirmed", "cancelled", "refunded", "awaiting_payment"];

/// How often the pollers below look again.
const POLL: Duration = Duration::from_millis(100);

/// Probes until `done` holds for what it sees or `wait` passes; returns the last value
/// seen and whether it was done. (Everything after an answer — the saga, projections,
/// mail — is eventually consistent, so tests look until it settles.)
async fn poll<T, F, Fut>(wait: Duration, mut probe: F, done: impl Fn(&T) -> bool) -> anyhow::Result<(T, bool)>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let seen = probe().await?;
        if done(&seen) {
            return Ok((seen, true));
        }
        if tokio::time::Instant::now() >= deadline {
            return Ok((seen, false));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Creates a product priced `amount` cents (USD) with `stock` units; returns its id.
pub async fn product(app: &TestApp, admin: &str, sku: &str, amount: i64, stock: i64) -> anyhow::Result<String> {
    let body = json!({
        "name": format!("Product {sku}"), "description": "", "sku": sku,
        "price": { "amount": amount, "currency": "USD" }, "images": [], "stock": stock,
    });
    let created = app.post("/api/v1/products", Some(admin), &body).await?;
    anyhow::ensure!(created.status == 201, "creating {sku}: {created}");
    Ok(created.data()["id"].as_str().context("no product id")?.to_owned())
}

/// `count` verified customers (`<prefix>-<n>@example.com`), created a few at a time;
/// returns their access tokens.
pub async fn customers(app: &TestApp, prefix: &str, count: usize) -> anyhow::Result<Vec<String>> {
    let created: Vec<anyhow::Result<(String, String)>> = futures::stream::iter(0..count)
        .map(|n| async move { app.customer(&format!("{prefix}-{n}@example.com")).await })
        .buffer_unordered(8)
        .collect()
        .await;
    created.into_iter().map(|customer| customer.map(|(_, token)| token)).collect()
}

/// Places an order of `quantity` units of one product paid with `method`.
pub async fn place(
    app: &TestApp,
    token: &str,
    product_id: &str,
    quantity: i64,
    method: &str,
) -> anyhow::Result<ApiResponse> {
    let body = json!({
        "shipping_address": { "name": "Ann Lee", "line1": "1 Main St", "line2": null, "city": "Berlin", "postal_code": "10115", "country": "DE" },
        "payment_method": method,
        "lines": [{ "product_id": product_id, "quantity": quantity }],
    });
    app.post("/api/v1/orders", Some(token), &body).await
}

/// Places an order and returns its id, failing unless it was accepted (201).
pub async fn placed(
    app: &TestApp,
    token: &str,
    product_id: &str,
    quantity: i64,
    method: &str,
) -> anyhow::Result<String> {
    let response = place(app, token, product_id, quantity, method).await?;
    anyhow::ensure!(response.status == 201, "placing an order: {response}");
    Ok(response.data()["id"].as_str().context("no order id")?.to_owned())
}

/// The order view, read with `token`.
pub async fn order(app: &TestApp, token: &str, order_id: &str) -> anyhow::Result<Value> {
    let response = app.get(&format!("/api/v1/orders/{order_id}"), Some(token)).await?;
    anyhow::ensure!(response.status == 200, "reading order {order_id}: {response}");
    Ok(response.data().clone())
}

/// Polls the order until its status is one of `statuses`; fails after `wait`.
pub async fn order_reaches(
    app: &TestApp,
    token: &str,
    order_id: &str,
    statuses: &[&str],
    wait: Duration,
) -> anyhow::Result<Value> {
    let path = format!("/api/v1/orders/{order_id}");
    let reached = |response: &ApiResponse| {
        response.status == 200 && response.data()["status"].as_str().is_some_and(|status| statuses.contains(&status))
    };
    let (response, done) = poll(wait, || app.get(&path, Some(token)), reached).await?;
    anyhow::ensure!(done, "order {order_id} did not reach {statuses:?} within {wait:?}: {response}");
    Ok(response.data().clone())
}

/// The statuses an order went through, oldest first.
pub fn history(order: &Value) -> Vec<String> {
    order["status_history"]
        .as_array()
        .map(|steps| steps.iter().filter_map(|step| step["status"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// Units of a product available to sell, as the catalog shows them.
pub async fn stock(app: &TestApp, product_id: &str) -> anyhow::Result<i64> {
    let response = app.get(&format!("/api/v1/products/{product_id}"), None).await?;
    anyhow::ensure!(response.status == 200, "reading product {product_id}: {response}");
    response.data()["stock"].as_i64().context("no stock in the product view")
}

/// Polls the product until its stock is `expected` (projections lag a little);
/// returns the last stock seen after `wait`.
pub async fn stock_settles(app: &TestApp, product_id: &str, expected: i64, wait: Duration) -> anyhow::Result<i64> {
    Ok(poll(wait, || stock(app, product_id), |seen| *seen == expected).await?.0)
}

/// The payment view of an order, or `None` when no payment was ever requested.
pub async fn payment(app: &TestApp, token: &str, order_id: &str) -> anyhow::Result<Option<Value>> {
    let response = app.get(&format!("/api/v1/payments/order/{order_id}"), Some(token)).await?;
    match response.status {
        200 => Ok(Some(response.data().clone())),
        404 => Ok(None),
        _ => anyhow::bail!("reading the payment of order {order_id}: {response}"),
    }
}

/// The payment view of an order once it shows `status`; fails after `wait` with the
/// last view. (The payments read model may trail the orders one by a moment.)
pub async fn payment_reaches(
    app: &TestApp,
    token: &str,
    order_id: &str,
    status: &str,
    wait: Duration,
) -> anyhow::Result<Value> {
    let shows = |seen: &Option<Value>| seen.as_ref().is_some_and(|view| view["status"] == status);
    match poll(wait, || payment(app, token, order_id), shows).await? {
        (Some(view), true) => Ok(view),
        (seen, _) => anyhow::bail!("the payment of order {order_id} did not become {status} within {wait:?}: {seen:?}"),
    }
}

/// Cents in a money view (`{ "amount": …, "currency": … }`).
pub fn cents(money: &Value) -> i64 {
    money["amount"].as_i64().unwrap_or(0)
}

/// What the simulated provider itself holds, read from its journal in the data dir:
/// per PaymentIntent, what was authorised, captured and refunded (in cents).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ProviderBooks {
    /// By provider reference.
    pub intents: HashMap<String, ProviderIntent>,
}

/// One PaymentIntent at the simulated provider.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ProviderIntent {
    /// Authorised cents.
    pub authorized: i64,
    /// Captured cents.
    pub captured: i64,
    /// Refunded cents.
    pub refunded: i64,
}

impl ProviderBooks {
    /// Reads `<data-dir>/simulated-payments.jsonl` (empty books when it is missing).
    pub fn read(app: &TestApp) -> anyhow::Result<Self> {
        let path = app.data_dir.path().join("simulated-payments.jsonl");
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(error) => return Err(error).with_context(|| format!("reading {}", path.display())),
        };
        let mut books = Self::default();
        for line in text.lines() {
            let entry: Value = serde_json::from_str(line).with_context(|| format!("a journal line: {line}"))?;
            let request = &entry["request"];
            let outcome = &entry["outcome"];
            let amount = cents(&request["amount"]);
            match (request["call"].as_str(), outcome["outcome"].as_str()) {
                (Some("authorize"), Some("authorized")) => {
                    let reference = outcome["provider_reference"].as_str().context("no reference")?;
                    books.intents.entry(reference.to_owned()).or_default().authorized += amount;
                }
                (Some("capture"), Some("captured")) => {
                    let reference = request["provider_reference"].as_str().context("no reference")?;
                    books.intents.entry(reference.to_owned()).or_default().captured += amount;
                }
                (Some("refund"), Some("refunded")) => {
                    let reference = request["provider_reference"].as_str().context("no reference")?;
                    books.intents.entry(reference.to_owned()).or_default().refunded += amount;
                }
                _ => {}
            }
        }
        Ok(books)
    }

    /// Cents kept in all: captured minus refunded.
    pub fn kept(&self) -> i64 {
        self.intents.values().map(|intent| intent.captured - intent.refunded).sum()
    }

    /// PaymentIntents that keep money.
    pub fn charged(&self) -> usize {
        self.intents.values().filter(|intent| intent.captured > intent.refunded).count()
    }
}

/// The outbox mails that mention `order_id` and whose subject starts with `subject`.
pub fn mails_about(app: &TestApp, order_id: &str, subject: &str) -> anyhow::Result<usize> {
    let header = format!("Subject: {subject}");
    Ok(app.mail()?.iter().filter(|mail| mail.contains(order_id) && mail.contains(&header)).count())
}

/// Polls the outbox until `count` mails about the order with that subject exist (or
/// `wait` passes), then returns how many there are.
pub async fn mails_settle(
    app: &TestApp,
    order_id: &str,
    subject: &str,
    count: usize,
    wait: Duration,
) -> anyhow::Result<usize> {
    let counted = || std::future::ready(mails_about(app, order_id, subject));
    Ok(poll(wait, counted, |seen| *seen >= count).await?.0)
}
