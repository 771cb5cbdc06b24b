//! `emporium bench freshness`: at a fixed arrival rate, how long a write takes to be
//! acknowledged, and how long after that the read model answers with it.

use std::time::Duration;

use clap::Args;

use super::load::{closed_loop, open_loop};
use super::pairs::{Figures, Samples};
use super::scratch::{Backend, Scratch};
use super::shop::Shop;
use super::stats::Target;
use super::stock_http::StockHttpClient;
use super::table::{Report, Row};

/// How long after the last scheduled send the last answer may come before the run
/// counts as overloaded (well above any single request's service time here).
const OVERLOAD: Duration = Duration::from_secs(1);

/// `emporium bench freshness`.
#[derive(Debug, Args)]
#[command(long_about = "Open loop at a fixed arrival rate (default: half the rate a quick closed-loop probe \
reaches): each request is a stock change through the HTTP write API, then GET /api/v1/products/{id} with \
X-Emporium-Min-Position set to the write's position. Reports p50/p99 of the write's acknowledgement (counted from \
its scheduled send time, so stalls are not hidden) and of acknowledgement -> read model answering, over --runs \
runs on one shop. Target (issue 12): p99(ack -> read) at most 5x p99(append).")]
pub struct FreshnessArgs {
    /// `sqlite` (the embedded default in a temporary data dir) or a `postgres://` URL
    /// of a server to create a scratch database on.
    #[arg(long, default_value = "sqlite")]
    pub store: Backend,
    /// Requests per second; default: half of a closed-loop probe's rate.
    #[arg(long)]
    pub rate: Option<f64>,
    /// Concurrency of the closed-loop probe that finds the maximum rate.
    #[arg(long, default_value_t = 32)]
    pub connections: usize,
    /// Keep-alive connections the open loop may use. Each holds its request through
    /// the read-back, so too few would queue requests in the harness, not the shop.
    #[arg(long, default_value_t = 256)]
    pub pool: usize,
    /// Products the writes are spread over.
    #[arg(long, default_value_t = 200)]
    pub products: usize,
    /// Seconds per run.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Runs (at least 3).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(3..))]
    pub runs: u64,
}

/// Runs the scenario and prints its table.
pub async fn run(args: FreshnessArgs) -> anyhow::Result<()> {
    let scratch = Scratch::create(&args.store).await?;
    let result = measure(&args, &scratch).await;
    scratch.remove().await?;
    println!("{}", result?.render());
    Ok(())
}

async fn measure(args: &FreshnessArgs, scratch: &Scratch) -> anyhow::Result<Report> {
    let shop = Shop::start(scratch).await?;
    let result = async {
        let token = shop.admin_token().await?;
        let (products, _) = shop.create_products(&token, args.products).await?;
        let probe = StockHttpClient::many(&shop, &token, &products, args.connections, false).await?;
        let max = closed_loop(probe, Duration::from_secs(3)).await?.per_second();
        let rate = args.rate.unwrap_or(max / 2.0);
        let mut health = shop.connect().await?;
        let probed = std::time::Instant::now();
        super::caught_up::wait(&mut health, Duration::from_secs(600)).await?;
        let backlog = probed.elapsed();
        eprintln!("freshness: probe reached {max:.0} writes/s; measuring at {rate:.0}/s");
        let (mut append, mut read) = (Samples::default(), Samples::default());
        let mut overloaded = Vec::new();
        for run in 0..args.runs {
            // Each run starts with the read models level with the log.
            super::caught_up::wait(&mut health, Duration::from_secs(600)).await?;
            let clients = StockHttpClient::many(&shop, &token, &products, args.pool, true).await?;
            let measured = open_loop(clients, rate, Duration::from_secs(args.seconds)).await?;
            let [acked, applied] = &measured.stages[..] else {
                anyhow::bail!("every request failed");
            };
            let figures = |l: &super::load::Latencies| -> Figures {
                vec![("p50".to_owned(), l.millis(0.5)), ("p99".to_owned(), l.millis(0.99))]
            };
            eprintln!(
                "  run {}/{}: append p99 {:.1} ms, ack→read p99 {:.1} ms ({} of {} requests answered)",
                run + 1,
                args.runs,
                acked.millis(0.99),
                applied.millis(0.99),
                applied.count(),
                measured.sent
            );
            if measured.drained > OVERLOAD {
                overloaded.push(format!("run {}: last answer {:.1} s after the last send", run + 1, measured.drained.as_secs_f64()));
            }
            append.push(figures(acked));
            let mut applied = figures(applied);
            // A failed request (a read that timed out behind, say) has no latency, so the
            // share that failed is reported beside the percentiles, not hidden by them.
            applied.push(("failed".to_owned(), 100.0 * measured.failed as f64 / measured.sent.max(1) as f64));
            read.push(applied);
        }
        let mut notes = vec![
                format!(
                    "open loop at {rate:.0}/s over up to {} connections (probe: {max:.0}/s closed-loop at {}), {} runs × {} s, {} products, one shop in this process",
                    args.pool, args.connections, args.runs, args.seconds, args.products
                ),
                "append: scheduled send → write acknowledged; read: acknowledged → GET with X-Emporium-Min-Position answered"
                    .to_owned(),
                format!(
                    "the read models needed {:.1} s after the 3 s probe to catch up; every run starts caught up",
                    backlog.as_secs_f64()
                ),
                format!("durability: {}", scratch.durability().await?),
            ];
        if !overloaded.is_empty() {
            notes.push(format!(
                "OVERLOADED: the shop did not keep up with this rate ({}); the latencies are mostly queueing, so the ratio says little",
                overloaded.join("; ")
            ));
        }
        Ok(Report {
            title: format!("freshness — {} — {rate:.0} writes/s", args.store),
            notes,
            baseline_label: "append (ms)".to_owned(),
            subject_label: "ack → read model (ms)".to_owned(),
            rows: vec![
                Row::compare("p50 latency", "p50", &append, &read),
                Row {
                    unjudged: (!overloaded.is_empty()).then_some("OVERLOADED"),
                    ..Row::compare("p99 latency", "p99", &append, &read).target(Target::AtMost(5.0))
                },
                Row::compare("requests failed (%)", "failed", &Samples::default(), &read),
            ],
        })
    }
    .await;
    shop.stop().await?;
    result
}
