//! `emporium bench rebuild`: how long rebuilding every read model from the log takes,
//! next to reading and hash-verifying the same log (`emporium audit verify`).
//!
//! Seeds a synthetic history into a fresh data dir, then alternates pairs of
//! [baseline: `audit::verify_log`] and [Emporium: `projections::rebuild_all`, the code
//! behind `emporium projections rebuild`], so drift of the machine hits both alike.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use emporium_projections::models;

use crate::audit::verify_log;
use crate::config::StoreArgs;
use crate::projections::rebuild_all;
use crate::stores;

/// `emporium bench rebuild`.
#[derive(Debug, Args)]
pub struct RebuildArgs {
    /// Events of synthetic shop history to seed.
    #[arg(long, default_value_t = 100_000)]
    events: u64,
    /// Baseline/Emporium pairs to run.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    pairs: u32,
    /// Event store: `sqlite` (in the data dir) or a `postgres://` URL of an empty database.
    #[arg(long, default_value = "sqlite")]
    event_store: String,
    /// Read store: `sqlite` (in the data dir), a `postgres://` or a `mongodb://host:port/db` URL.
    #[arg(long, default_value = "sqlite")]
    read_store: String,
    /// Data dir for the SQLite files; default: a fresh temporary directory, removed afterwards.
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

/// Seeds, runs the pairs and prints the table.
pub async fn run(args: RebuildArgs) -> anyhow::Result<()> {
    let temp = tempfile::tempdir().context("creating a temporary data dir")?;
    let store = StoreArgs {
        data_dir: args.data_dir.clone().unwrap_or_else(|| temp.path().to_owned()),
        event_store: args.event_store.clone(),
        read_store: args.read_store.clone(),
        account_store: "sqlite".to_owned(),
        state_store: None,
    };
    let events = stores::event_store(&store).await?;
    let reads = stores::read_store(&store).await?;
    let existing = events.head_position().await.context("reading the head position")?;
    anyhow::ensure!(existing == 0, "the event store already holds {existing} events; give an empty one");

    let bar = indicatif::ProgressBar::new(args.events);
    bar.set_style(
        indicatif::ProgressStyle::with_template("seeding [{bar:40}] {pos}/{len} events ({per_sec}, eta {eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let started = Instant::now();
    let seeded = super::history::seed_history(events.clone(), args.events, &bar).await?;
    bar.finish_and_clear();
    let seeding = started.elapsed();
    println!(
        "seeded {seeded} events in {:.1} s ({:.0} events/s) into {}",
        seeding.as_secs_f64(),
        seeded as f64 / seeding.as_secs_f64(),
        store.data_dir.display()
    );
    println!("durability: {}", durability(&store).await);

    let projectors = models::all();
    let (mut baseline, mut emporium) = (Vec::new(), Vec::new());
    for pair in 1..=args.pairs {
        let started = Instant::now();
        let verified = verify_log(events.as_ref(), |_| {}).await?;
        baseline.push(started.elapsed());
        anyhow::ensure!(verified.events == seeded, "verify read {} of {seeded} events", verified.events);

        let started = Instant::now();
        let reached = rebuild_all(events.clone(), reads.clone(), &projectors, false).await?;
        emporium.push(started.elapsed());
        if let Some((name, position)) = reached.iter().find(|(_, p)| *p != seeded) {
            anyhow::bail!("the rebuild of {name} stopped at {position} of {seeded}");
        }
        eprintln!(
            "pair {pair}/{}: verify {:.3} s, rebuild {:.3} s",
            args.pairs,
            baseline[baseline.len() - 1].as_secs_f64(),
            emporium[emporium.len() - 1].as_secs_f64()
        );
    }
    print_table(seeded, &store, &baseline, &emporium);
    Ok(())
}

fn print_table(events: u64, store: &StoreArgs, baseline: &[Duration], emporium: &[Duration]) {
    let (b, e) = (Spread::of(baseline), Spread::of(emporium));
    let ratios: Vec<f64> =
        baseline.iter().zip(emporium).map(|(b, e)| e.as_secs_f64() / b.as_secs_f64().max(1e-9)).collect();
    let (rmin, rmax) = ratios.iter().fold((f64::MAX, 0f64), |(lo, hi), r| (lo.min(*r), hi.max(*r)));
    println!();
    println!(
        "bench rebuild: {events} events, event store {}, read store {}, {} pairs (median, min–max)",
        redact(&store.event_store),
        redact(&store.read_store),
        baseline.len()
    );
    println!("{:<44} {:>10} {:>21} {:>14}", "run", "median", "min–max", "events/s");
    for (name, s) in [("baseline: read + verify hash chain (audit)", &b), ("emporium: rebuild all read models", &e)] {
        println!(
            "{name:<44} {:>8.3} s {:>9.3}–{:<9.3} s {:>14.0}",
            s.median,
            s.min,
            s.max,
            events as f64 / s.median.max(1e-9)
        );
    }
    println!(
        "ratio rebuild/verify: {:.2}× (median of each; per pair {rmin:.2}–{rmax:.2}×); target ≤ 3×",
        e.median / b.median.max(1e-9)
    );
}

/// Median and range of some durations, in seconds.
struct Spread {
    median: f64,
    min: f64,
    max: f64,
}

impl Spread {
    fn of(runs: &[Duration]) -> Self {
        let mut secs: Vec<f64> = runs.iter().map(Duration::as_secs_f64).collect();
        secs.sort_by(f64::total_cmp);
        let n = secs.len();
        let median = match n {
            0 => 0.0,
            _ if n % 2 == 1 => secs[n / 2],
            _ => (secs[n / 2 - 1] + secs[n / 2]) / 2.0,
        };
        Self { median, min: secs.first().copied().unwrap_or(0.0), max: secs.last().copied().unwrap_or(0.0) }
    }
}

/// What an acknowledged write survives, per store, as the adapters configure them
/// (PostgreSQL's own settings are asked of the server).
async fn durability(store: &StoreArgs) -> String {
    let events = match store.event_store.as_str() {
        "sqlite" => "event store SQLite WAL, synchronous=FULL (fsync per commit)".to_owned(),
        url => format!("event store PostgreSQL {}", postgres_settings(url).await),
    };
    let reads = match store.read_store.as_str() {
        "sqlite" => "read store SQLite WAL, synchronous=NORMAL (fsync at WAL checkpoints)".to_owned(),
        url if url.starts_with("mongodb://") => "read store MongoDB, the server's default write concern".to_owned(),
        url => format!("read store PostgreSQL {}", postgres_settings(url).await),
    };
    format!("{events}; {reads}")
}

/// `fsync=… synchronous_commit=…` of the server at `url`.
async fn postgres_settings(url: &str) -> String {
    use sqlx::Connection;
    let asked = async {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        let fsync: String = sqlx::query_scalar("SHOW fsync").fetch_one(&mut conn).await?;
        let commit: String = sqlx::query_scalar("SHOW synchronous_commit").fetch_one(&mut conn).await?;
        Ok::<_, sqlx::Error>(format!("fsync={fsync} synchronous_commit={commit}"))
    };
    asked.await.unwrap_or_else(|error| format!("(settings unknown: {error})"))
}

/// A store spec without any password it holds.
fn redact(spec: &str) -> String {
    match (spec.find("://"), spec.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}://…{}", &spec[..scheme], &spec[at..]),
        _ => spec.to_owned(),
    }
}
