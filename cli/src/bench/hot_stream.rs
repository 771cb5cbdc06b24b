//! `emporium bench hot-stream`: the latency of one command on a stream with many
//! prior events against the same command on a fresh stream, same aggregate, same store.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::time::Instant;

use clap::Args;
use emporium_commands::CommandHandler;

use super::load::Latencies;
use super::pairs::{Figures, alternate};
use super::scratch::{Backend, Scratch};
use super::stats::Target;
use super::stock_commands::{receive_one, sku};
use super::table::{Report, Row};

/// Attempts per command on a version conflict (as `serve`).
const ATTEMPTS: u32 = 16;

/// `emporium bench hot-stream`.
#[derive(Debug, Args)]
#[command(long_about = "Latency of one stock command (CommandHandler::handle on the inventory aggregate) on a \
stream with --prior events against one on a fresh stream, in the same store. The prior events are real inventory \
events appended straight to the event store in batches. Each run takes a fresh CommandHandler, times its first \
command alone (cold), then --commands commands one after another (no queueing). Fresh-stream runs use a new SKU \
per command. Target (issue 12): at most 1.5x the fresh stream's latency.")]
pub struct HotStreamArgs {
    /// `sqlite` (temporary files) or a `postgres://` URL of a server to create a scratch database on.
    #[arg(long, default_value = "sqlite")]
    pub store: Backend,
    /// Events on the hot stream before measuring.
    #[arg(long, default_value_t = 100_000)]
    pub prior: usize,
    /// Commands timed per run, after the first.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..))]
    pub commands: u64,
    /// Fresh/hot pairs of runs (at least 3).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(3..))]
    pub pairs: u64,
}

/// Runs the scenario and prints its table.
pub async fn run(args: HotStreamArgs) -> anyhow::Result<()> {
    let scratch = Scratch::create(&args.store).await?;
    let result = measure(&args, &scratch).await;
    scratch.remove().await?;
    println!("{}", result?.render());
    Ok(())
}

async fn measure(args: &HotStreamArgs, scratch: &Scratch) -> anyhow::Result<Report> {
    let store = crate::stores::event_store(&scratch.store_args()).await?;
    let hot = sku("HOT-1")?;
    let started = Instant::now();
    super::seed::inventory_history(&store, &hot, args.prior).await?;
    let seeded = started.elapsed();
    eprintln!("hot-stream: seeded {} events in {:.1} s", args.prior, seeded.as_secs_f64());
    let durability = RefCell::new(BTreeSet::new());
    let (fresh, hot_runs) = alternate(
        args.pairs as usize,
        async |pair| {
            let handler = CommandHandler::new(store.clone(), ATTEMPTS);
            let mut count = 0;
            let fresh_sku = || {
                count += 1;
                sku(&format!("FRESH-P{pair}-{count}"))
            };
            let figures = timed_run(&handler, args.commands, fresh_sku).await?;
            let settings = scratch.durability().await?;
            durability.borrow_mut().insert(settings);
            Ok(figures)
        },
        async |_| {
            let handler = CommandHandler::new(store.clone(), ATTEMPTS);
            timed_run(&handler, args.commands, || Ok(hot.clone())).await
        },
    )
    .await?;
    let mut notes = vec![
        format!(
            "{} prior events on inventory-HOT-1 (seeded in {:.1} s); {} pairs; per run a fresh CommandHandler, its first command timed alone (cold), then {} commands one at a time",
            args.prior,
            seeded.as_secs_f64(),
            args.pairs,
            args.commands
        ),
        "fresh: each command on a new SKU; hot: every command on inventory-HOT-1 (it grows by one per command)"
            .to_owned(),
    ];
    notes.extend(durability.into_inner().into_iter().map(|d| format!("durability: {d}")));
    Ok(Report {
        title: format!("hot-stream — {} — {} prior events", args.store, args.prior),
        notes,
        baseline_label: "fresh stream".to_owned(),
        subject_label: format!("{} prior events", args.prior),
        rows: vec![
            Row::compare("command latency p50 (ms)", "p50", &fresh, &hot_runs).target(Target::AtMost(1.5)),
            Row::compare("command latency p99 (ms)", "p99", &fresh, &hot_runs).target(Target::AtMost(1.5)),
            Row::compare("first command after a fresh handler (ms)", "cold", &fresh, &hot_runs),
        ],
    })
}

/// The cold first command, then `commands` more, each on the SKU `next` names.
async fn timed_run(
    handler: &CommandHandler,
    commands: u64,
    mut next: impl FnMut() -> anyhow::Result<emporium_domain::values::Sku>,
) -> anyhow::Result<Figures> {
    let cold = {
        let sku = next()?;
        let started = Instant::now();
        receive_one(handler, &sku).await?;
        started.elapsed()
    };
    let mut latencies = Latencies::new()?;
    for _ in 0..commands {
        let sku = next()?;
        let started = Instant::now();
        receive_one(handler, &sku).await?;
        latencies.record(started.elapsed());
    }
    Ok(vec![
        ("p50".to_owned(), latencies.millis(0.5)),
        ("p99".to_owned(), latencies.millis(0.99)),
        ("cold".to_owned(), cold.as_secs_f64() * 1000.0),
    ])
}
