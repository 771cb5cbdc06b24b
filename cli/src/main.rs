//! `emporium`: the one binary. Parses the command line, sets up logging, runs the
//! chosen subcommand until it finishes or Ctrl-C.

mod audit;
mod config;
mod http;
mod openapi;
mod pages;
mod payments;
mod process_managers;
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
        Command::Serve(args) => serve::run(args, serve::Parts::Both).await,
        Command::WriteApi(args) => serve::run(args, serve::Parts::Write).await,
        Command::ReadApi(args) => serve::run(args, serve::Parts::Read).await,
        Command::Audit(args) => audit::run(args).await,
        Command::Projections(args) => projections::run(args).await,
        Command::Openapi => openapi::print(),
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
