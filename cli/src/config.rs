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
    /// Run the whole shop in one process (both APIs, projections, order saga,
    /// notifications) until Ctrl-C; with `--bus`, its consumers read JetStream.
    Serve(ServeArgs),
    /// Run only the command API (writes) until Ctrl-C; any number of replicas.
    WriteApi(ServeArgs),
    /// Run only the query API until Ctrl-C (projections run in `projector` or `serve`);
    /// any number of replicas.
    ReadApi(ServeArgs),
    /// Run projectors (all, or those named) until Ctrl-C, each its own consumer.
    Projector(ProjectorArgs),
    /// Run the process managers (order saga, notification dispatcher) until Ctrl-C;
    /// one process at a time leads, others stand by.
    Saga(ServeArgs),
    /// List or replay parked (dead-lettered) messages.
    Dlq(DlqArgs),
    /// Publish the event log to NATS JetStream (needs `--bus`) until Ctrl-C; one relay
    /// per event store leads, others stand by.
    Relay(RelayArgs),
    /// Check the event log's integrity.
    Audit(AuditArgs),
    /// Inspect or rebuild the read models.
    Projections(ProjectionsArgs),
    /// Print the OpenAPI 3.1 document of both APIs.
    Openapi,
    /// Measure a scenario against its baseline in one sitting (issue 12's targets).
    #[command(subcommand)]
    Bench(crate::bench::BenchCommand),
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
    /// Read store for projections: `sqlite` (under the data dir), a `postgres://` or a `mongodb://host:port/db` URL.
    #[arg(long, env = "EMPORIUM_READ_STORE", default_value = "sqlite")]
    pub read_store: String,
    /// Account store (password hashes, tokens; never in the log): `sqlite` or a `postgres://` URL.
    #[arg(long, env = "EMPORIUM_ACCOUNT_STORE", default_value = "sqlite")]
    pub account_store: String,
    /// Process-manager state (saga instances, deadlines, mail queue), kept apart from
    /// the read models: `sqlite` (`state.db` under the data dir) or a `postgres://` URL.
    /// Default: the event store's PostgreSQL when it has one, else `sqlite`.
    #[arg(long, env = "EMPORIUM_STATE_STORE")]
    pub state_store: Option<String>,
}

/// The bus between the event log and its consumers.
#[derive(Debug, Clone, Args)]
pub struct BusArgs {
    /// NATS server for JetStream (`nats://host:4222`, several comma-separated for a
    /// cluster). Without it, every consumer tails the event store in-process.
    #[arg(long, env = "EMPORIUM_BUS")]
    pub bus: Option<String>,
    /// Replicas of the `EMPORIUM_EVENTS` stream (1, or 3 on a three-node cluster).
    #[arg(long, env = "EMPORIUM_BUS_REPLICAS", default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=5))]
    pub bus_replicas: u8,
}

/// HTTP server options shared by `serve`, `write-api` and `read-api`.
#[derive(Debug, Clone, Args)]
pub struct HttpArgs {
    /// Address to listen on.
    #[arg(long, env = "EMPORIUM_BIND", default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Port to listen on (0 picks a free one and logs it).
    #[arg(long, env = "EMPORIUM_PORT", default_value_t = 8080)]
    pub port: u16,
    /// HMAC secret for access tokens (32+ bytes). Default: a random one kept in
    /// `<data-dir>/jwt.secret`, so tokens survive restarts.
    #[arg(long, env = "EMPORIUM_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<Secret>,
    /// Base URL for links in mail (defaults to http://<bind>:<port>).
    #[arg(long, env = "EMPORIUM_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Mail delivery: `outbox` (`.eml` files under `<data-dir>/mail/`), `log`, or
    /// `smtp://[user:password@]host[:port]` (a relay; failed sends are retried with backoff).
    #[arg(long, env = "EMPORIUM_MAIL", default_value = "outbox")]
    pub mail: String,
    /// Ensure an Admin account with this e-mail exists at start.
    #[arg(long, env = "EMPORIUM_ADMIN_EMAIL", requires = "admin_password")]
    pub admin_email: Option<String>,
    /// Password for `--admin-email`.
    #[arg(long, env = "EMPORIUM_ADMIN_PASSWORD", hide_env_values = true, requires = "admin_email")]
    pub admin_password: Option<Secret>,
    /// Requests per second each client IP may send (0: unlimited).
    #[arg(long, env = "EMPORIUM_RATE_LIMIT", default_value_t = 1000)]
    pub rate_limit: u32,
    /// Requests per minute each client IP may send to sign-in, registration, password
    /// recovery, refresh and verification resend (0: unlimited).
    #[arg(long, env = "EMPORIUM_AUTH_RATE_LIMIT", default_value_t = 30)]
    pub auth_rate_limit: u32,
    /// Where rate limits count: this process (the default), or a Redis server shared by
    /// every replica, `redis://[:password@]host:port[/db]`, so they count together.
    /// Checked at start; while it does not answer, each process counts on its own.
    #[arg(long, env = "EMPORIUM_RATE_LIMIT_STORE", hide_env_values = true)]
    pub rate_limit_store: Option<Secret>,
    /// A reverse proxy (address or CIDR block, e.g. `10.0.0.0/8`) whose
    /// `X-Forwarded-For` names the client, for rate limits; repeat for several. None
    /// by default: the client is the TCP peer and the header is ignored.
    #[arg(long = "trusted-proxy", env = "EMPORIUM_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<String>,
    /// A browser origin allowed to call the API (CORS), e.g. `https://shop.example`;
    /// repeat for several. None by default: browsers may call only from the API's own origin.
    #[arg(long = "cors-origin", env = "EMPORIUM_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// Seconds one request may take before it is answered 503 (live feeds are not cut).
    #[arg(long, env = "EMPORIUM_REQUEST_TIMEOUT_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub request_timeout_secs: u64,
    /// Hours an `Idempotency-Key`'s stored answer is replayed (and kept) for.
    #[arg(long, env = "EMPORIUM_IDEMPOTENCY_TTL_HOURS", default_value_t = 24, value_parser = clap::value_parser!(u64).range(1..=24 * 365))]
    pub idempotency_ttl_hours: u64,
}

/// A secret that never prints.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// The secret's text; call only where it is used.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

/// `emporium serve`, `write-api`, `read-api`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Storage options.
    #[command(flatten)]
    pub store: StoreArgs,
    /// HTTP options.
    #[command(flatten)]
    pub http: HttpArgs,
    /// Payment provider and checkout options.
    #[command(flatten)]
    pub payments: PaymentArgs,
    /// SMS provider options.
    #[command(flatten)]
    pub sms: SmsArgs,
    /// Event bus options.
    #[command(flatten)]
    pub bus: BusArgs,
}

/// `emporium relay`.
#[derive(Debug, Args)]
pub struct RelayArgs {
    /// Storage options (only the event store is used).
    #[command(flatten)]
    pub store: StoreArgs,
    /// Event bus options (`--bus` is required).
    #[command(flatten)]
    pub bus: BusArgs,
    /// Where `/health` and `/health/ready` listen.
    #[command(flatten)]
    pub probe: ProbeArgs,
}

/// The HTTP port of a process that serves only its health (`relay`, `projector`).
#[derive(Debug, Clone, Args)]
pub struct ProbeArgs {
    /// Address for `/health` and `/health/ready`.
    #[arg(long, env = "EMPORIUM_BIND", default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Port for `/health` and `/health/ready` (0 picks a free one and logs it).
    #[arg(long, env = "EMPORIUM_PORT", default_value_t = 8080)]
    pub port: u16,
}

/// `emporium projector`.
#[derive(Debug, Args)]
pub struct ProjectorArgs {
    /// Storage options.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Event bus options.
    #[command(flatten)]
    pub bus: BusArgs,
    /// Where `/health` and `/health/ready` listen.
    #[command(flatten)]
    pub probe: ProbeArgs,
    /// Projectors to run (default: all). `emporium projections status` lists them.
    pub names: Vec<String>,
}

/// `emporium dlq`.
#[derive(Debug, Args)]
pub struct DlqArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: DlqAction,
}

/// Dead-letter actions.
#[derive(Debug, Subcommand)]
pub enum DlqAction {
    /// List parked messages (consumer, position, stream, event type, reason).
    List {
        /// Storage options.
        #[command(flatten)]
        store: StoreArgs,
        /// Only this consumer's messages.
        #[arg(long)]
        consumer: Option<String>,
        /// Print JSON lines instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Send parked messages back to their consumer, which retries them within seconds.
    Replay {
        /// Storage options.
        #[command(flatten)]
        store: StoreArgs,
        /// Only this consumer's messages.
        #[arg(long)]
        consumer: Option<String>,
        /// Only the message at this global position.
        #[arg(long)]
        position: Option<u64>,
    },
}

/// Where text messages go.
#[derive(Debug, Clone, Args)]
pub struct SmsArgs {
    /// SMS delivery: `log` (written to the log only) or `twilio` (needs the `--twilio-*` flags).
    #[arg(long, env = "EMPORIUM_SMS", value_enum, default_value_t = SmsProvider::Log)]
    pub sms: SmsProvider,
    /// Twilio account SID (`AC…`).
    #[arg(long, env = "EMPORIUM_TWILIO_ACCOUNT_SID", required_if_eq("sms", "twilio"))]
    pub twilio_account_sid: Option<String>,
    /// Twilio auth token.
    #[arg(long, env = "EMPORIUM_TWILIO_AUTH_TOKEN", hide_env_values = true, required_if_eq("sms", "twilio"))]
    pub twilio_auth_token: Option<Secret>,
    /// Sender: a Twilio phone number (`+1…`) or a Messaging Service SID (`MG…`).
    #[arg(long, env = "EMPORIUM_TWILIO_FROM", required_if_eq("sms", "twilio"))]
    pub twilio_from: Option<String>,
    /// Twilio API root (a test server's URL in tests).
    #[arg(long, env = "EMPORIUM_TWILIO_API_BASE", default_value = "https://api.twilio.com")]
    pub twilio_api_base: String,
}

/// SMS providers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SmsProvider {
    /// Log each message (no delivery).
    Log,
    /// Twilio's Messages API.
    Twilio,
}

/// Which payment provider charges orders, and how long a declined order waits.
#[derive(Debug, Clone, Args)]
pub struct PaymentArgs {
    /// Payment provider: `simulated` (Stripe test mode without network; its ledger is
    /// kept in `<data-dir>/simulated-payments.jsonl`) or `stripe` (needs `--stripe-secret-key`).
    #[arg(long, env = "EMPORIUM_PAYMENTS", value_enum, default_value_t = PaymentProvider::Simulated)]
    pub payments: PaymentProvider,
    /// How long an order whose payment was declined waits for a new payment method
    /// before it is cancelled, in seconds.
    #[arg(long, env = "EMPORIUM_PAYMENT_DEADLINE_SECS", default_value_t = 900, value_parser = clap::value_parser!(u64).range(1..))]
    pub payment_deadline_secs: u64,
    /// Simulated provider only: milliseconds every call waits before answering.
    #[arg(long, env = "EMPORIUM_SIMULATED_LATENCY_MS", default_value_t = 0)]
    pub simulated_latency_ms: u64,
    /// Simulated provider only: probability (0 to 1) that a call fails as if the provider
    /// were unreachable (half of them after the charge happened, as a lost answer).
    #[arg(long, env = "EMPORIUM_SIMULATED_FAILURE_RATE", default_value_t = 0.0)]
    pub simulated_failure_rate: f64,
    /// Stripe secret (`sk_…`) or restricted (`rk_…`) API key.
    #[arg(long, env = "EMPORIUM_STRIPE_SECRET_KEY", hide_env_values = true, required_if_eq("payments", "stripe"))]
    pub stripe_secret_key: Option<Secret>,
    /// Stripe API root (a test server's URL in tests).
    #[arg(long, env = "EMPORIUM_STRIPE_API_BASE", default_value = "https://api.stripe.com")]
    pub stripe_api_base: String,
    /// Signing secret (`whsec_…`) of the Stripe webhook endpoint; enables
    /// `POST /api/v1/payments/webhooks/stripe`.
    #[arg(long, env = "EMPORIUM_STRIPE_WEBHOOK_SECRET", hide_env_values = true)]
    pub stripe_webhook_secret: Option<Secret>,
}

/// Payment providers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PaymentProvider {
    /// Stripe test mode, simulated locally.
    Simulated,
    /// Stripe's HTTP API.
    Stripe,
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
