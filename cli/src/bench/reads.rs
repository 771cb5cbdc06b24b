//! `emporium bench reads`: `GET /api/v1/products/{id}` of a real shop against a bare
//! axum handler answering the same bytes from memory, same load generator, same run.

use std::time::Duration;

use axum::http::{HeaderValue, header};
use clap::Args;

use super::bare::Bare;
use super::get_client::GetClient;
use super::load::closed_loop;
use super::pairs::alternate;
use super::scratch::{Backend, Scratch};
use super::shop::Shop;
use super::stats::Target;
use super::table::{Report, Row};

/// `emporium bench reads`.
#[derive(Debug, Args)]
#[command(long_about = "Requests/s of GET /api/v1/products/{id} on a real shop (serve in this process over a \
scratch store, one product created through the write API, read model caught up) against a bare axum handler on \
another loopback port returning the same JSON bytes from memory. Closed loop: --connections HTTP/1.1 keep-alive \
connections for --seconds per run, alternating for --pairs pairs. GET /health on the shop is measured after each \
shop run for reference. Target (issue 12): at least 0.5x the bare handler.")]
pub struct ReadsArgs {
    /// `sqlite` (the embedded default in a temporary data dir) or a `postgres://` URL
    /// of a server to create a scratch database on.
    #[arg(long, default_value = "sqlite")]
    pub store: Backend,
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 32)]
    pub connections: usize,
    /// Seconds per run.
    #[arg(long, default_value_t = 5)]
    pub seconds: u64,
    /// Baseline/Emporium pairs (at least 3).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(3..))]
    pub pairs: u64,
}

/// Runs the scenario and prints its table.
pub async fn run(args: ReadsArgs) -> anyhow::Result<()> {
    let scratch = Scratch::create(&args.store).await?;
    let result = measure(&args, &scratch).await;
    scratch.remove().await?;
    println!("{}", result?.render());
    Ok(())
}

async fn measure(args: &ReadsArgs, scratch: &Scratch) -> anyhow::Result<Report> {
    let shop = Shop::start(scratch).await?;
    let result = async {
        let token = shop.admin_token().await?;
        let (ids, position) = shop.create_products(&token, 1).await?;
        let path = format!("/api/v1/products/{}", ids[0]);
        let position = position.to_string();
        let answer = shop
            .connect()
            .await?
            .get(&path, &[("X-Emporium-Min-Position", &position)])
            .await?
            .success("reading the new product")?;
        let content_type =
            answer.headers.get(header::CONTENT_TYPE).cloned().unwrap_or(HeaderValue::from_static("application/json"));
        let bare = Bare::start(&path, content_type, answer.body.clone()).await?;
        let duration = Duration::from_secs(args.seconds);
        let (baseline, ours) = alternate(
            args.pairs as usize,
            async |_| {
                let run = closed_loop(GetClient::many(bare.address, &path, args.connections).await?, duration).await?;
                Ok(vec![("product".to_owned(), run.per_second())])
            },
            async |_| {
                let run = closed_loop(GetClient::many(shop.address, &path, args.connections).await?, duration).await?;
                let health =
                    closed_loop(GetClient::many(shop.address, "/health", args.connections).await?, duration).await?;
                Ok(vec![("product".to_owned(), run.per_second()), ("health".to_owned(), health.per_second())])
            },
        )
        .await?;
        bare.stop().await?;
        let mut health = Row::compare("GET /health req/s (reference)", "health", &baseline, &ours);
        health.baseline.clear();
        Ok(Report {
            title: format!("reads — {} — {} connections", args.store, args.connections),
            notes: vec![
                format!(
                    "{} pairs × {} s closed-loop, HTTP/1.1 keep-alive, one connection per client; the bare handler answers the same {} bytes",
                    args.pairs,
                    args.seconds,
                    answer.body.len()
                ),
                "shop and bare server run in this process, on loopback, sharing its cores with the load generator"
                    .to_owned(),
                format!("durability: {}", scratch.durability().await?),
            ],
            baseline_label: "bare axum req/s".to_owned(),
            subject_label: "Emporium req/s".to_owned(),
            rows: vec![
                Row::compare("GET /api/v1/products/{id} req/s", "product", &baseline, &ours)
                    .target(Target::AtLeast(0.5)),
                health,
            ],
        })
    }
    .await;
    shop.stop().await?;
    result
}
