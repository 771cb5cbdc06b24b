//! The command line: every flag also reads an `EMPORIUM_*` environment variable.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Emporium: an event-sourced commerce backend.
#[derive(Debug, Parser)]
#[command(name = "emporium", version, about, long_about = None)]
pub struct Cli {
    /// Logging options.
    #[command(flatten)]
    pub log: LogArgs,
    /// What to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the whole shop in one process (event store, projections, HTTP) until Ctrl-C.
    Serve(ServeArgs),
    /// Check the event log's integrity.
    Audit(AuditArgs),
    /// Inspect or rebuild the read models.
    Projections(ProjectionsArgs),
}

/// How logs are written.
#[derive(Debug, Args)]
pub struct LogArgs {
    /// Log format: `text` for people, `json` for log collectors.
    #[arg(long, env = "EMPORIUM_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
    /// Log filter in `tracing` syntax (e.g. `info,emporium_infra=debug`); `RUST_LOG` also works.
    #[arg(long, env = "EMPORIUM_LOG", default_value = "info", global = true)]
    pub log: String,
}

/// Log line formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Where events are stored.
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// Directory for embedded data (SQLite files, mail outbox); created if missing.
    #[arg(long, env = "EMPORIUM_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// Event store: `sqlite` (a file under the data dir) or a `postgres://` URL.
    #[arg(long, env = "EMPORIUM_EVENT_STORE", default_value = "sqlite")]
    pub event_store: String,
    /// Read store for projections: `sqlite` (a file under the data dir) or a `postgres://` URL.
    #[arg(long, env = "EMPORIUM_READ_STORE", default_value = "sqlite")]
    pub read_store: String,
}

/// `emporium serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Storage options.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Address to listen on.
    #[arg(long, env = "EMPORIUM_BIND", default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Port to listen on (0 picks a free one and logs it).
    #[arg(long, env = "EMPORIUM_PORT", default_value_t = 8080)]
    pub port: u16,
}

/// `emporium audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// What to check.
    #[command(subcommand)]
    pub action: AuditAction,
}

/// Audit actions.
#[derive(Debug, Subcommand)]
pub enum AuditAction {
    /// Replay the whole log and verify its hash chain, positions and stream versions.
    Verify(StoreArgs),
}

/// `emporium projections`.
#[derive(Debug, Args)]
pub struct ProjectionsArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: ProjectionsAction,
}

/// Projection actions.
#[derive(Debug, Subcommand)]
pub enum ProjectionsAction {
    /// Show each projection's checkpoint and lag behind the log.
    Status(StoreArgs),
    /// Delete read models and replay the whole log into them (stop `serve` first).
    Rebuild {
        /// Storage options.
        #[command(flatten)]
        store: StoreArgs,
        /// Projections to rebuild (default: all).
        names: Vec<String>,
    },
}
