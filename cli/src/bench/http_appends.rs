//! `emporium bench http-appends`: stock changes/s through the HTTP write API against
//! raw one-row INSERT transactions/s at the same concurrency.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::time::Duration;

use clap::Args;

use super::load::closed_loop;
use super::pairs::alternate;
use super::raw_insert;
use super::scratch::{Backend, Scratch};
use super::shop::Shop;
use super::stats::Target;
use super::stock_http::StockHttpClient;
use super::table::{Report, Row};

/// `emporium bench http-appends`.
#[derive(Debug, Args)]
#[command(long_about = "Stock changes/s through the HTTP write API (POST /api/v1/products/{id}/stock as the \
admin, spread over --products products created first) on a real shop (serve in this process over a fresh scratch \
store per run) against raw one-row INSERT transactions/s at the same concurrency on the same kind of database. \
Closed loop, --connections keep-alive connections, --seconds per run, alternating for --pairs pairs. Target \
(issue 12): at least 1x the raw rate.")]
pub struct HttpAppendsArgs {
    /// `sqlite` (the embedded default in a temporary data dir) or a `postgres://` URL
    /// of a server to create scratch databases on.
    #[arg(long, default_value = "sqlite")]
    pub store: Backend,
    /// Concurrent keep-alive connections (and raw clients).
    #[arg(long, default_value_t = 32)]
    pub connections: usize,
    /// Products the stock changes are spread over.
    #[arg(long, default_value_t = 200)]
    pub products: usize,
    /// Seconds per run.
    #[arg(long, default_value_t = 5)]
    pub seconds: u64,
    /// Baseline/Emporium pairs (at least 3).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(3..))]
    pub pairs: u64,
}

/// Runs the scenario and prints its table.
pub async fn run(args: HttpAppendsArgs) -> anyhow::Result<()> {
    let duration = Duration::from_secs(args.seconds);
    let durability = RefCell::new(BTreeSet::new());
    let (raw, ours) = alternate(
        args.pairs as usize,
        async |_| {
            let (throughput, settings) = raw_insert::fresh_run(&args.store, args.connections, duration).await?;
            durability.borrow_mut().insert(settings);
            Ok(vec![("rate".to_owned(), throughput.per_second())])
        },
        async |_| {
            let scratch = Scratch::create(&args.store).await?;
            let result = shop_run(&args, &scratch, duration).await;
            let settings = scratch.durability().await;
            scratch.remove().await?;
            durability.borrow_mut().insert(settings?);
            Ok(vec![("rate".to_owned(), result?)])
        },
    )
    .await?;
    let mut notes = vec![format!(
        "{} pairs × {} s closed-loop, {} keep-alive connections, {} products; fresh store and shop per run; the shop runs in this process",
        args.pairs, args.seconds, args.connections, args.products
    )];
    notes.extend(durability.into_inner().into_iter().map(|d| format!("durability: {d}")));
    let report = Report {
        title: format!("http-appends — {} — {} connections", args.store, args.connections),
        notes,
        baseline_label: "raw INSERT/s".to_owned(),
        subject_label: "HTTP stock changes/s".to_owned(),
        rows: vec![
            Row::compare(format!("writes/s @ {} connections", args.connections), "rate", &raw, &ours)
                .target(Target::AtLeast(1.0)),
        ],
    };
    println!("{}", report.render());
    Ok(())
}

/// Starts a shop on `scratch`, creates the products, and measures stock changes/s.
async fn shop_run(args: &HttpAppendsArgs, scratch: &Scratch, duration: Duration) -> anyhow::Result<f64> {
    let shop = Shop::start(scratch).await?;
    let result = async {
        let token = shop.admin_token().await?;
        let (products, _) = shop.create_products(&token, args.products).await?;
        let clients = StockHttpClient::many(&shop, &token, &products, args.connections, false).await?;
        Ok(closed_loop(clients, duration).await?.per_second())
    }
    .await;
    shop.stop().await?;
    result
}
