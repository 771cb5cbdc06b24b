//! `emporium bench <scenario>`: each scenario against its baseline in one sitting,
//! alternating runs, printed as a table of medians, ranges, ratios and the targets
//! of issue 12.
//!
//! Shared pieces: [`pairs`] (alternation), [`stats`] and [`table`] (the report),
//! [`load`] (closed- and open-loop load), [`durability`], [`scratch`] (fresh stores),
//! [`raw_insert`] (the database's ceiling), [`stock_commands`] (the command path as a
//! load client), [`history`] (the synthetic shop history). One file per scenario.

mod appends;
mod bare;
mod caught_up;
mod durability;
mod footprint;
mod freshness;
mod get_client;
pub mod history;
mod hot_stream;
mod http_appends;
mod http_client;
mod load;
mod pairs;
#[cfg(feature = "peer-bench")]
mod peer;
mod raw_insert;
mod reads;
mod rebuild;
mod scratch;
mod seed;
mod shop;
mod stats;
mod stock_commands;
mod stock_http;
mod table;

use clap::Subcommand;

/// The scenarios.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Commands/s through the command path vs raw one-row INSERT transactions/s.
    Appends(appends::AppendsArgs),
    /// Latency of a command on a stream with many prior events vs on a fresh one.
    HotStream(hot_stream::HotStreamArgs),
    /// Product reads of a real shop vs a bare axum handler with the same bytes.
    Reads(reads::ReadsArgs),
    /// Stock changes/s through the HTTP write API vs raw one-row INSERT transactions/s.
    HttpAppends(http_appends::HttpAppendsArgs),
    /// Write acknowledgement vs acknowledgement-to-read-model latency at a fixed rate.
    Freshness(freshness::FreshnessArgs),
    /// Ready time and peak memory of `emporium serve` over a long history.
    Footprint(footprint::FootprintArgs),
    /// Commands/s against cqrs-es + postgres-es 0.5 (built with `--features peer-bench`).
    #[cfg(feature = "peer-bench")]
    Peer(peer::PeerArgs),
    /// Rebuild all read models from N events vs `audit verify` of the same log.
    Rebuild(rebuild::RebuildArgs),
}

/// Runs one scenario.
pub async fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Appends(args) => appends::run(args).await,
        BenchCommand::HotStream(args) => hot_stream::run(args).await,
        BenchCommand::Reads(args) => reads::run(args).await,
        BenchCommand::HttpAppends(args) => http_appends::run(args).await,
        BenchCommand::Freshness(args) => freshness::run(args).await,
        BenchCommand::Footprint(args) => footprint::run(args).await,
        #[cfg(feature = "peer-bench")]
        BenchCommand::Peer(args) => peer::run(args).await,
        BenchCommand::Rebuild(args) => rebuild::run(args).await,
    }
}
