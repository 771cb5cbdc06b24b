//! `emporium bench <scenario>`: each scenario runs Emporium against its baseline in
//! one sitting, alternating baseline and Emporium runs, and prints the median and
//! spread of each with their ratio.
//!
//! - [`rebuild`]: rebuilding every read model vs reading and hash-verifying the log;
//! - [`history`]: the synthetic shop history scenarios seed.

pub mod history;
mod rebuild;

use clap::Subcommand;

/// The scenarios.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Rebuild all read models from N events vs `audit verify` of the same log.
    Rebuild(rebuild::RebuildArgs),
}

/// Runs one scenario.
pub async fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Rebuild(args) => rebuild::run(args).await,
    }
}
