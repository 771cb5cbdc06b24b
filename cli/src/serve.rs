//! `emporium serve` (everything), `write-api` and `read-api` (one side each) and
//! `saga` (the process managers alone).

use std::net::SocketAddr;
use std::num::NonZeroU32;

use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use axum::http::HeaderValue;
use emporium_api_kit::idempotency::Idempotency;
use emporium_api_kit::position::AppliedPosition;
use emporium_api_kit::sessions::SessionVersions;
use emporium_api_kit::token::TokenKeys;
use emporium_commands::CommandHandler;
use emporium_commands::notifications::{NotificationDispatcher, NotificationSettings};
use emporium_commands::sagas::order_fulfilment::{OrderFulfilment, SagaSettings};
use emporium_infra::follow::Health;
use emporium_infra::leader::LeaderTiming;
use emporium_infra::private_files;
use emporium_infra::rate_limits::RateLimitStore;
use emporium_infra::read_store::{self, CachedReadStore};
use emporium_projections::{ProjectionRunner, models};
use emporium_read_api::ReadState;
use emporium_read_api::health::{self, HealthState};
use emporium_write_api::users::throttle::AddressAttempts;
use emporium_write_api::{AuthSettings, WriteState};

use crate::client_address::TrustedProxies;
use crate::config::{HttpArgs, Secret, ServeArgs};
use crate::gateway::{self, GatewaySettings};
use crate::process_managers::{self, ProcessManagers};
use crate::rate_limits::Quotas;
use crate::signals::shutdown_signal;
use crate::{consumers, http, payments, relay, stores};

/// How many times a command is retried on a version conflict before 409.
const COMMAND_ATTEMPTS: u32 = 16;

/// Which parts this process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parts {
    /// Both APIs, the projections and the process managers.
    Both,
    /// The command API only.
    Write,
    /// The query API only (its read models are kept by `projector` processes).
    Read,
    /// The process managers only, with `/health`.
    Saga,
}

impl Parts {
    fn commands(self) -> bool {
        matches!(self, Self::Both | Self::Write)
    }
    fn queries(self) -> bool {
        matches!(self, Self::Both | Self::Read)
    }
    fn process_managers(self) -> bool {
        matches!(self, Self::Both | Self::Saga)
    }
    fn process_name(self) -> &'static str {
        match self {
            Self::Both => "serve",
            Self::Write => "write-api",
            Self::Read => "read-api",
            Self::Saga => "saga",
        }
    }
}

/// Starts the stores, the consumers this process runs and the HTTP server; returns
/// after Ctrl-C (or SIGTERM) once in-flight requests have finished and the
/// consumers have stopped.
pub async fn run(args: ServeArgs, parts: Parts) -> anyhow::Result<()> {
    let address = SocketAddr::new(args.http.bind, args.http.port);
    let listener = tokio::net::TcpListener::bind(address).await.with_context(|| format!("binding {address}"))?;
    serve_on(args, parts, listener, shutdown_signal()).await
}

/// [`run`] on a listener the caller bound, until `shutdown` resolves (the benchmark
/// harness runs the shop in-process this way and stops it between runs).
pub async fn serve_on(
    args: ServeArgs,
    parts: Parts,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let events = stores::event_store(&args.store).await?;
    // Every process that serves the API checks the accounts' security versions, so an
    // ended session is refused by the read API as well as by the write API.
    let accounts = if parts.commands() || parts.process_managers() || parts.queries() {
        Some(stores::account_store(&args.store).await?)
    } else {
        None
    };
    let mut keys = token_keys(&args)?;
    if let Some(accounts) = &accounts {
        keys = keys.with_sessions(SessionVersions::new(accounts.clone()));
    }
    let mut reads = stores::read_store(&args.store).await?;
    if parts == Parts::Both {
        // The projectors run here, so every write to the read models passes through
        // this one instance and the cache of documents by id stays exact.
        reads = Arc::new(CachedReadStore::new(reads, read_store::DEFAULT_CACHE_CAPACITY));
    }
    let public_url = public_url(&args.http);
    let rate_limit_store = RateLimitStore::open(args.http.rate_limit_store.as_ref().map(Secret::expose)).await?;
    let health = Health::new();
    // Only processes that run consumers need the bus: the APIs never wait for NATS.
    let source = if parts.process_managers() {
        Some(consumers::source(&args.bus, events.clone(), parts.process_name()).await?)
    } else {
        None
    };
    let mut parked_in = vec![reads.clone()];
    let mut app = Router::new();
    let mut projections = None;
    let mut processes = None;
    let handler = CommandHandler::new(events.clone(), COMMAND_ATTEMPTS);
    // A mailer and a gateway per process that writes (the simulated provider's journal,
    // for one, must have a single writer); a read-api opens neither.
    let outside = if let (true, Some(accounts)) = (parts.commands() || parts.process_managers(), &accounts) {
        Some((
            accounts.clone(),
            stores::mailer(&args.http.mail, &args.store.data_dir)?,
            payments::gateway(&args.payments, &args.store.data_dir)?,
        ))
    } else {
        None
    };
    if let (true, Some((accounts, mailer, gateway))) = (parts.process_managers(), outside.clone()) {
        let state = stores::state_store(&args.store).await?;
        parked_in.push(state.clone());
        let sms = stores::sms(&args.sms)?;
        let saga_settings =
            SagaSettings { payment_deadline: payments::payment_deadline(&args.payments), ..SagaSettings::default() };
        let notification_settings =
            NotificationSettings::new(public_url.clone(), emporium_write_api::notifications::unsubscribe_key(&keys));
        let handler = handler.clone();
        let factory: process_managers::Factory = Arc::new(move || {
            let saga = OrderFulfilment::new(
                handler.clone(),
                state.clone(),
                accounts.clone(),
                gateway.clone(),
                saga_settings.clone(),
            );
            let dispatcher = NotificationDispatcher::new(
                handler.clone(),
                state.clone(),
                mailer.clone(),
                sms.clone(),
                notification_settings.clone(),
            );
            (saga, dispatcher)
        });
        processes = Some(ProcessManagers::spawn(
            stores::leader_lock(&args.store)?,
            LeaderTiming::default(),
            factory,
            source.clone().context("process managers run with a source")?,
            health.clone(),
        ));
    }
    if let (true, Some((accounts, mailer, gateway))) = (parts.commands(), outside) {
        let state = WriteState {
            commands: handler,
            keys: keys.clone(),
            accounts: accounts.clone(),
            mailer,
            auth: AuthSettings::with_public_url(public_url),
            gateway,
            stripe_webhook_secret: args.payments.stripe_webhook_secret.as_ref().map(|secret| secret.expose().into()),
            attempts: AddressAttempts::new(&rate_limit_store),
        };
        if let (Some(email), Some(password)) = (&args.http.admin_email, &args.http.admin_password) {
            emporium_write_api::users::ensure_admin(&state, email, password.expose())
                .await
                .map_err(|e| anyhow::anyhow!("ensuring the admin account {email}: {e}"))?;
            tracing::info!(%email, "admin account ready");
        }
        let idempotency = Idempotency::new(accounts, keys.clone())
            .with_ttl(std::time::Duration::from_secs(args.http.idempotency_ttl_hours * 3600));
        app = app.merge(
            emporium_write_api::router(state)
                .layer(axum::middleware::from_fn_with_state(idempotency, emporium_api_kit::idempotency::idempotency)),
        );
        // The pages the mailed verification and reset links open.
        app = app.merge(crate::pages::router());
    }
    // With a bus, `serve` is every part: it also publishes the log (when it holds the
    // relay lock; another process's relay may).
    let relaying = match (&args.bus.bus, parts) {
        (Some(servers), Parts::Both) => {
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            let target = relay::Target {
                servers: servers.clone(),
                replicas: args.bus.bus_replicas,
                lock: stores::event_store_lock(&args.store)?,
            };
            let (events, health) = (events.clone(), health.clone());
            let task = tokio::spawn(async move {
                relay::publish(target, events, &health, async move {
                    let _ = stopped.await;
                })
                .await
            });
            Some((stop, task))
        }
        _ => None,
    };
    let mut applied = None;
    if parts.queries() {
        if parts == Parts::Both {
            projections = Some(
                ProjectionRunner::with_source(
                    source.clone().context("projections run with a source")?,
                    reads.clone(),
                    models::all(),
                )
                .with_health(health.clone())
                .spawn(),
            );
        }
        let watched = AppliedPosition::new(reads.clone(), models::all().iter().map(|p| p.name().to_owned()))
            .with_log(events.clone());
        if let Some(running) = &projections {
            // Reads waiting for a position wake on this process's own commits.
            watched.follow(running.positions());
        }
        applied = Some(watched.clone());
        let state = ReadState { reads, applied: watched, events: events.clone(), keys };
        app = app.merge(emporium_read_api::router(state));
    }
    app = app
        .merge(health::router(HealthState { events, consumers: health, applied, parked_in }))
        .merge(crate::openapi::router());
    let app = gateway::wrap(http::finish(app), &gateway_settings(&args.http, rate_limit_store)?);

    let local = listener.local_addr().context("reading the bound address")?;
    tracing::info!(address = %local, data_dir = %args.store.data_dir.display(), ?parts, source = source.as_ref().map(|s| s.kind()), "emporium listening");
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
        .context("serving HTTP")?;
    if let Some((stop, relaying)) = relaying {
        let _ = stop.send(());
        relaying.await.context("the relay task panicked")??;
    }
    if let Some(processes) = processes {
        processes.stop().await?;
    }
    if let Some(running) = projections {
        running.stop().await;
    }
    tracing::info!("emporium stopped");
    Ok(())
}

/// The gateway's settings from the flags.
fn gateway_settings(http: &HttpArgs, store: RateLimitStore) -> anyhow::Result<GatewaySettings> {
    let cors_origins = http
        .cors_origins
        .iter()
        .map(|origin| {
            let origin = origin.trim().trim_end_matches('/');
            anyhow::ensure!(
                origin.starts_with("https://") || origin.starts_with("http://"),
                "--cors-origin must be an origin such as https://shop.example, not {origin:?}"
            );
            HeaderValue::from_str(origin).with_context(|| format!("--cors-origin {origin:?}"))
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(GatewaySettings {
        quotas: Quotas {
            per_second: NonZeroU32::new(http.rate_limit),
            guarded_per_minute: NonZeroU32::new(http.auth_rate_limit),
        },
        store,
        trusted_proxies: TrustedProxies::parse(&http.trusted_proxies)?,
        cors_origins,
        hsts: public_url(http).starts_with("https://"),
        request_timeout: std::time::Duration::from_secs(http.request_timeout_secs),
    })
}

fn public_url(http: &HttpArgs) -> String {
    http.public_url.clone().unwrap_or_else(|| format!("http://{}", SocketAddr::new(http.bind, http.port)))
}

/// The access-token secret: the flag, or one generated once and kept in the data dir.
fn token_keys(args: &ServeArgs) -> anyhow::Result<TokenKeys> {
    if let Some(secret) = &args.http.jwt_secret {
        return TokenKeys::new(secret.expose().as_bytes()).context("--jwt-secret must be at least 32 bytes");
    }
    let path = args.store.data_dir.join("jwt.secret");
    let secret = match std::fs::read(&path) {
        Ok(secret) => secret,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let mut secret = vec![0u8; 48];
            getrandom(&mut secret).context("reading randomness for the token secret")?;
            private_files::write_atomically(&args.store.data_dir, "jwt.secret", &secret)
                .with_context(|| format!("writing {}", path.display()))?;
            secret
        }
        Err(error) => return Err(error).with_context(|| format!("reading {}", path.display())),
    };
    TokenKeys::new(&secret).with_context(|| format!("{} holds fewer than 32 bytes", path.display()))
}

/// Fills `buffer` from the operating system's randomness.
fn getrandom(buffer: &mut [u8]) -> std::io::Result<()> {
    use std::io::Read;
    std::fs::File::open("/dev/urandom")?.read_exact(buffer)
}
