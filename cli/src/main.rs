//! `emporium`: the one binary. Parses the command line, sets up logging, runs the
//! chosen subcommand until it finishes or Ctrl-C.

mod audit;
mod bench;
mod client_address;
mod config;
mod consumers;
mod dlq;
mod gateway;
mod http;
mod openapi;
mod openapi_links;
mod pages;
mod payments;
mod probe;
mod process_managers;
mod projections;
mod projector;
mod rate_limits;
mod relay;
mod serve;
mod signals;
mod stores;
mod telemetry;

use clap::Parser;

use crate::config::{Cli, Command};

/// Read models are JSON trees of many small allocations, made and dropped by every
/// projector on every batch; mimalloc serves them with far less time in `free` and
/// consolidation than glibc's allocator (`bench rebuild`, docs/design.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    telemetry::init(&cli.log);
    let result = match cli.command {
        Command::Serve(args) => serve::run(args, serve::Parts::Both).await,
        Command::WriteApi(args) => serve::run(args, serve::Parts::Write).await,
        Command::ReadApi(args) => serve::run(args, serve::Parts::Read).await,
        Command::Saga(args) => serve::run(args, serve::Parts::Saga).await,
        Command::Projector(args) => projector::run(args).await,
        Command::Dlq(args) => dlq::run(args).await,
        Command::Relay(args) => relay::run(args).await,
        Command::Audit(args) => audit::run(args).await,
        Command::Projections(args) => projections::run(args).await,
        Command::Openapi => openapi::print(),
        Command::Bench(command) => bench::run(command).await,
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
