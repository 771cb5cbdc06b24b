//! `emporium`: the one binary. Parses the command line, sets up logging, runs the
//! chosen subcommand until it finishes or Ctrl-C.

mod audit;
mod config;
mod projections;
mod serve;
mod stores;
mod telemetry;

use clap::Parser;

use crate::config::{Cli, Command};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    telemetry::init(&cli.log);
    let result = match cli.command {
        Command::Serve(args) => serve::run(args).await,
        Command::Audit(args) => audit::run(args).await,
        Command::Projections(args) => projections::run(args).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "emporium failed");
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
