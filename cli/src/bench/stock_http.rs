//! Stock changes through the HTTP write API as a load client: `POST
//! /api/v1/products/{id}/stock` round-robin over the shop's products, one
//! keep-alive connection each; optionally followed by the read that must see it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use super::http_client::Connection;
use super::load::Operation;
use super::shop::Shop;

/// One connection changing stock, one unit received per request.
pub struct StockHttpClient {
    connection: Connection,
    token: Arc<str>,
    products: Arc<[String]>,
    next: usize,
    read_back: bool,
}

impl StockHttpClient {
    /// `count` clients on `products`, spread so they start on different products.
    /// With `read_back`, each write is followed by `GET /api/v1/products/{id}` with
    /// `X-Emporium-Min-Position` set to the write's position.
    pub async fn many(
        shop: &Shop,
        token: &str,
        products: &[String],
        count: usize,
        read_back: bool,
    ) -> anyhow::Result<Vec<Self>> {
        let (token, products): (Arc<str>, Arc<[String]>) = (token.into(), products.into());
        let mut clients = Vec::with_capacity(count);
        for client in 0..count {
            clients.push(Self {
                connection: shop.connect().await?,
                token: token.clone(),
                products: products.clone(),
                next: client * products.len().max(1) / count.max(1),
                read_back,
            });
        }
        Ok(clients)
    }
}

impl Operation for StockHttpClient {
    /// Latencies: scheduled → write acknowledged, and (with `read_back`)
    /// acknowledged → the read model answering with the write applied.
    async fn call(&mut self, scheduled: Instant) -> anyhow::Result<Vec<Duration>> {
        let product = &self.products[self.next % self.products.len()];
        self.next += 1;
        let path = format!("/api/v1/products/{product}/stock");
        let answer =
            self.connection.post_json(&path, Some(&self.token), &json!({ "quantity": 1 })).await?.success(&path)?;
        let acknowledged = Instant::now();
        let mut latencies = vec![acknowledged - scheduled];
        if self.read_back {
            let position = answer.position()?.to_string();
            let read = format!("/api/v1/products/{product}");
            self.connection.get(&read, &[("X-Emporium-Min-Position", &position)]).await?.success(&read)?;
            latencies.push(acknowledged.elapsed());
        }
        Ok(latencies)
    }
}
