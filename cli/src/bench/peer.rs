//! `emporium bench peer`: commands/s of Emporium's command path against the library a
//! Rust user would pick instead, `cqrs-es` with `postgres-es` 0.5, on the same
//! aggregate shape (a stock level; "receive N units" appends one event), on
//! PostgreSQL, each client on its own streams.
//!
//! The peer runs as its README sets it up: `postgres_cqrs` (event-sourced: each
//! command loads the aggregate's events, handles, and commits the new ones in a
//! transaction) on its own `events` table (`db/init.sql` of postgres-es), with a pool
//! as large as the client count so it never waits for a connection.
//!
//! Built only with `--features peer-bench`: the peer's crates stay out of the shipped
//! binary.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use clap::Args;
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use postgres_es::{PostgresCqrs, postgres_cqrs};
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgPoolOptions;

use super::appends::emporium_run;
use super::load::{Operation, closed_loop};
use super::pairs::{Figures, alternate};
use super::scratch::{Backend, Scratch};
use super::stats::Target;
use super::table::{Report, Row};

/// The peer's table, as `postgres-es` 0.5's `db/init.sql` creates it.
const PEER_EVENTS_TABLE: &str = "CREATE TABLE events (
    aggregate_type text NOT NULL,
    aggregate_id   text NOT NULL,
    sequence       bigint CHECK (sequence >= 0) NOT NULL,
    event_type     text NOT NULL,
    event_version  text NOT NULL,
    payload        json NOT NULL,
    metadata       json NOT NULL,
    PRIMARY KEY (aggregate_type, aggregate_id, sequence))";

/// `emporium bench peer`.
#[derive(Debug, Args)]
#[command(long_about = "Commands/s of Emporium's command path against cqrs-es + postgres-es 0.5 on the same \
aggregate shape (a stock level; each command receives one unit and appends one event), on PostgreSQL, each client \
round-robin over its own streams, closed-loop for --seconds on a fresh scratch database per run; the peer and \
Emporium alternate for --pairs pairs. Target (issue 12): at least 4x the peer's rate at 8 and 32 clients.")]
pub struct PeerArgs {
    /// A `postgres://` URL of a server to create scratch databases on.
    #[arg(long)]
    pub store: Backend,
    /// Client counts to measure, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "8,32")]
    pub clients: Vec<usize>,
    /// Seconds per run.
    #[arg(long, default_value_t = 5)]
    pub seconds: u64,
    /// Peer/Emporium pairs per client count (at least 3).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(3..))]
    pub pairs: u64,
    /// Streams per client; commands go round-robin over them.
    #[arg(long, default_value_t = 50)]
    pub streams_per_client: usize,
}

/// Runs the scenario and prints its table.
pub async fn run(args: PeerArgs) -> anyhow::Result<()> {
    if !matches!(args.store, Backend::Postgres(_)) {
        anyhow::bail!("the peer (postgres-es) runs on PostgreSQL only: pass --store postgres://…");
    }
    let duration = Duration::from_secs(args.seconds);
    let durability = RefCell::new(BTreeSet::new());
    let mut rows = Vec::new();
    for &clients in &args.clients {
        eprintln!("peer: {clients} clients");
        let (peer, ours) = alternate(
            args.pairs as usize,
            async |_| {
                let (figures, settings) = peer_run(&args, clients, duration).await?;
                durability.borrow_mut().insert(settings);
                Ok(figures)
            },
            async |_| {
                let (figures, settings) = emporium_run(&args.store, args.streams_per_client, clients, duration).await?;
                durability.borrow_mut().insert(settings);
                Ok(figures)
            },
        )
        .await?;
        let row = Row::compare(format!("commands/s @ {clients} clients"), "rate", &peer, &ours);
        rows.push(row.target(Target::AtLeast(4.0)));
    }
    let mut notes = vec![
        format!("{} pairs × {} s closed-loop per client count, fresh database per run", args.pairs, args.seconds),
        format!("both: one unit received per command, {} streams per client", args.streams_per_client),
        "peer: cqrs-es 0.5 + postgres-es 0.5, postgres_cqrs (event-sourced, no snapshots), pool = clients".to_owned(),
    ];
    notes.extend(durability.into_inner().into_iter().map(|d| format!("durability: {d}")));
    let report = Report {
        title: "peer — PostgreSQL".to_owned(),
        notes,
        baseline_label: "cqrs-es commands/s".to_owned(),
        subject_label: "Emporium commands/s".to_owned(),
        rows,
    };
    println!("{}", report.render());
    Ok(())
}

async fn peer_run(args: &PeerArgs, clients: usize, duration: Duration) -> anyhow::Result<(Figures, String)> {
    let scratch = Scratch::create(&args.store).await?;
    let result = async {
        let url = scratch.database.clone().ok_or_else(|| anyhow::anyhow!("no scratch database"))?;
        let pool = PgPoolOptions::new().max_connections(u32::try_from(clients.max(1))?).connect(&url).await?;
        sqlx::query(PEER_EVENTS_TABLE).execute(&pool).await?;
        let cqrs = std::sync::Arc::new(postgres_cqrs::<StockLevel>(pool.clone(), Vec::new(), ()));
        let workers = (0..clients)
            .map(|client| PeerClient {
                cqrs: cqrs.clone(),
                streams: (0..args.streams_per_client.max(1)).map(|k| format!("BENCH-C{client}-S{k}")).collect(),
                next: 0,
            })
            .collect::<Vec<_>>();
        let throughput = closed_loop(workers, duration).await?;
        pool.close().await;
        Ok((vec![("rate".to_owned(), throughput.per_second())], scratch.durability().await?))
    }
    .await;
    scratch.remove().await?;
    result
}

/// One peer client: round-robin over its own aggregates.
struct PeerClient {
    cqrs: std::sync::Arc<PostgresCqrs<StockLevel>>,
    streams: Vec<String>,
    next: usize,
}

impl Operation for PeerClient {
    async fn call(&mut self, scheduled: Instant) -> anyhow::Result<Vec<Duration>> {
        let stream = &self.streams[self.next % self.streams.len()];
        self.next += 1;
        self.cqrs
            .execute(stream, ReceiveStock { quantity: 1 })
            .await
            .map_err(|error| anyhow::anyhow!("peer command on {stream}: {error}"))?;
        Ok(vec![scheduled.elapsed()])
    }
}

/// The same shape as Emporium's inventory for this load: a stock level.
#[derive(Debug, Default, Serialize, Deserialize)]
struct StockLevel {
    on_hand: u64,
}

/// "Receive N units".
#[derive(Debug)]
struct ReceiveStock {
    quantity: u64,
}

/// "N units were received".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct StockReceived {
    quantity: u64,
    on_hand: u64,
}

impl DomainEvent for StockReceived {
    fn event_type(&self) -> String {
        "StockReceived".to_owned()
    }
    fn event_version(&self) -> String {
        "1".to_owned()
    }
}

/// Why the peer's aggregate refused a command.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct StockError(String);

impl Aggregate for StockLevel {
    const TYPE: &'static str = "inventory";
    type Command = ReceiveStock;
    type Event = StockReceived;
    type Error = StockError;
    type Services = ();

    async fn handle(
        &mut self,
        command: ReceiveStock,
        _services: &(),
        sink: &EventSink<Self>,
    ) -> Result<(), StockError> {
        let on_hand = self.on_hand.checked_add(command.quantity).ok_or_else(|| StockError("too much stock".into()))?;
        sink.write(StockReceived { quantity: command.quantity, on_hand }, self).await;
        Ok(())
    }

    fn apply(&mut self, event: StockReceived) {
        self.on_hand = event.on_hand;
    }
}
