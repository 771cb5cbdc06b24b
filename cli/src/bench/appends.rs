//! `emporium bench appends`: commands/s through the real command path on distinct
//! streams against raw one-row INSERT transactions/s, at each client count.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::time::Duration;

use clap::Args;
use emporium_commands::CommandHandler;

use super::load::closed_loop;
use super::pairs::{Figures, alternate};
use super::raw_insert;
use super::scratch::{Backend, Scratch};
use super::stats::Target;
use super::stock_commands::StockClient;
use super::table::{Report, Row};

/// Attempts per command on a version conflict (as `serve`; distinct streams never conflict).
const ATTEMPTS: u32 = 16;

/// `emporium bench appends`.
#[derive(Debug, Args)]
#[command(long_about = "Commands/s through Emporium's command path (CommandHandler::handle on the inventory \
aggregate: command-id check, load, decide, append with expected version; each client on its own SKUs) against \
raw one-row INSERT transactions/s at the same concurrency on the same kind of database (PostgreSQL: a scratch \
table; SQLite: a WAL + synchronous=FULL file). Each run is closed-loop for --seconds on a fresh store; baseline \
and Emporium alternate for --pairs pairs. Targets (issue 12): at least 2x the raw rate at 32 clients, 0.8x at 1.")]
pub struct AppendsArgs {
    /// `sqlite` (temporary files) or a `postgres://` URL of a server to create scratch databases on.
    #[arg(long, default_value = "sqlite")]
    pub store: Backend,
    /// Client counts to measure, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,8,32")]
    pub clients: Vec<usize>,
    /// Seconds per run.
    #[arg(long, default_value_t = 5)]
    pub seconds: u64,
    /// Baseline/Emporium pairs per client count (at least 3).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(3..))]
    pub pairs: u64,
    /// SKUs (streams) per client; commands go round-robin over them.
    #[arg(long, default_value_t = 50)]
    pub streams_per_client: usize,
}

/// Runs the scenario and prints its table.
pub async fn run(args: AppendsArgs) -> anyhow::Result<()> {
    let duration = Duration::from_secs(args.seconds);
    let mut rows = Vec::new();
    // Both closures note what they ran on; they never hold the borrow across an await.
    let durability = RefCell::new(BTreeSet::new());
    for &clients in &args.clients {
        eprintln!("appends: {clients} clients on {}", args.store);
        let (raw, ours) = alternate(
            args.pairs as usize,
            async |_| {
                let (throughput, settings) = raw_insert::fresh_run(&args.store, clients, duration).await?;
                durability.borrow_mut().insert(settings);
                Ok(vec![("rate".to_owned(), throughput.per_second())])
            },
            async |_| {
                let (figures, settings) = emporium_run(&args.store, args.streams_per_client, clients, duration).await?;
                durability.borrow_mut().insert(settings);
                Ok(figures)
            },
        )
        .await?;
        let plural = if clients == 1 { "" } else { "s" };
        let row = Row::compare(format!("commands/s @ {clients} client{plural}"), "rate", &raw, &ours);
        rows.push(match clients {
            1 => row.target(Target::AtLeast(0.8)),
            32 => row.target(Target::AtLeast(2.0)),
            _ => row,
        });
    }
    let mut notes = vec![
        format!(
            "{} pairs × {} s closed-loop per client count, fresh store per run; order flips every pair",
            args.pairs, args.seconds
        ),
        format!("Emporium: ReceiveStock on the inventory aggregate, {} SKUs per client", args.streams_per_client),
    ];
    notes.extend(durability.into_inner().into_iter().map(|d| format!("durability: {d}")));
    let report = Report {
        title: format!("appends — {}", args.store),
        notes,
        baseline_label: "raw INSERT/s".to_owned(),
        subject_label: "Emporium commands/s".to_owned(),
        rows,
    };
    println!("{}", report.render());
    Ok(())
}

/// One Emporium run on a fresh store: `clients` clients on `streams_per_client` SKUs
/// each; returns its rate and the store's durability. (`peer` measures the same run.)
pub async fn emporium_run(
    backend: &Backend,
    streams_per_client: usize,
    clients: usize,
    duration: Duration,
) -> anyhow::Result<(Figures, String)> {
    let scratch = Scratch::create(backend).await?;
    let result = async {
        let store = crate::stores::event_store(&scratch.store_args()).await?;
        let handler = CommandHandler::new(store, ATTEMPTS);
        let workers = (0..clients)
            .map(|client| StockClient::new(handler.clone(), client, streams_per_client))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let throughput = closed_loop(workers, duration).await?;
        drop(handler);
        Ok((vec![("rate".to_owned(), throughput.per_second())], scratch.durability().await?))
    }
    .await;
    scratch.remove().await?;
    result
}
