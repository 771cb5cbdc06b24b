//! `emporium relay`: publishes the event log to NATS JetStream (the outbox pattern:
//! the store is the outbox, nothing publishes from a request handler).
//!
//! One relay per event store publishes at a time: it holds the `relay` leader lock in
//! the event store's own location (a PostgreSQL advisory lock for `postgres://…`, a
//! lock file in the data dir for SQLite). Others stand by and the first to get the
//! lock takes over when the leader dies; the new leader resumes after the stream's
//! last sequence. Ctrl-C or SIGTERM stops it after the outstanding acks.

use std::future::Future;
use std::pin::{Pin, pin};
use std::time::Duration;

use anyhow::Context;
use emporium_infra::bus::{self, Relay};
use emporium_infra::follow::Health;
use emporium_infra::follow::health::Condition;
use emporium_infra::leader::{LeaderLock, LeaderTiming};
use emporium_read_api::health::HealthState;
use tokio::sync::oneshot;

use crate::config::RelayArgs;
use crate::signals::shutdown_signal;
use crate::{probe, stores};

/// The lock's name: one publishing relay per event store.
const LOCK_NAME: &str = "relay";
/// Wait after a failed attempt to ask for the lock or to reach NATS.
const RETRY_AFTER_ERROR: Duration = Duration::from_secs(2);
/// The connection name the NATS server shows.
const CONNECTION_NAME: &str = "emporium-relay";

/// Runs the relay until Ctrl-C or SIGTERM, with its health on `--port`: the relay
/// appears on `/health/ready` as a consumer named `relay` (standby, running with the
/// position it published, or failed).
pub async fn run(args: RelayArgs) -> anyhow::Result<()> {
    let Some(servers) = args.bus.bus.clone().filter(|servers| !servers.trim().is_empty()) else {
        anyhow::bail!("emporium relay publishes to NATS JetStream: give it --bus nats://host:4222 (or EMPORIUM_BUS)");
    };
    let events = stores::event_store(&args.store).await?;
    let health = Health::new();
    let state = HealthState { events: events.clone(), consumers: health.clone(), applied: None, parked_in: Vec::new() };
    let probes = probe::serve(&args.probe, state).await?;
    let target = Target { servers, replicas: args.bus.bus_replicas, lock: stores::event_store_lock(&args.store)? };
    let relayed = publish(target, events, &health, shutdown_signal()).await;
    probes.abort();
    relayed
}

/// Where and how a relay publishes.
pub struct Target {
    /// The NATS servers (`--bus`).
    pub servers: String,
    /// Replicas of the stream (`--bus-replicas`).
    pub replicas: u8,
    /// The lock that lets one relay per event store publish.
    pub lock: LeaderLock,
}

/// Leads (or stands by) and publishes `events` until `shutdown` resolves, reporting as
/// `relay` on `health` (a failure is reported there too). `emporium relay` runs this
/// alone; `emporium serve --bus` runs it beside everything else.
pub async fn publish(
    target: Target,
    events: std::sync::Arc<dyn emporium_infra::event_store::EventStore>,
    health: &Health,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    health.register(LOCK_NAME, "jetstream");
    let published = lead(&target, events, health, shutdown).await;
    if let Err(error) = &published {
        health.update(LOCK_NAME, |state| {
            state.condition = Condition::Failed;
            state.error = Some(format!("{error:#}"));
        });
    }
    published
}

/// The leader loop behind [`publish`].
async fn lead(
    target: &Target,
    events: std::sync::Arc<dyn emporium_infra::event_store::EventStore>,
    health: &Health,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let (servers, replicas, lock) = (target.servers.as_str(), usize::from(target.replicas), &target.lock);
    let mut shutdown = pin!(shutdown);
    loop {
        health.update(LOCK_NAME, |state| state.condition = Condition::Standby);
        let acquired = tokio::select! {
            () = shutdown.as_mut() => return Ok(()),
            acquired = lock.acquire(LOCK_NAME, LeaderTiming::default()) => acquired,
        };
        let mut leadership = match acquired {
            Ok(leadership) => leadership,
            Err(error) => {
                tracing::warn!(%error, "cannot ask for the relay lock; trying again");
                if pause(shutdown.as_mut()).await {
                    return Ok(());
                }
                continue;
            }
        };
        tracing::info!("leading: relaying the event log to JetStream");
        let Some(js) = connect(servers, shutdown.as_mut()).await else {
            leadership.release().await;
            return Ok(());
        };
        let (stop, stopped) = oneshot::channel::<()>();
        let relay = Relay::new(events.clone(), js, replicas);
        let _reporter = AbortOnDrop(tokio::spawn(report_progress(relay.published(), health.clone())));
        let mut running = pin!(relay.run(async move {
            let _ = stopped.await;
        }));
        tokio::select! {
            result = running.as_mut() => {
                leadership.release().await;
                return result.context("the relay stopped");
            }
            () = shutdown.as_mut() => {
                let _ = stop.send(());
                let result = running.await;
                leadership.release().await;
                return result.context("stopping the relay");
            }
            () = leadership.lost() => {
                tracing::error!("relay lock lost: stopping publishing, then standing by");
                let _ = stop.send(());
                running.await.context("stopping the relay")?;
            }
        }
    }
}

/// Connects to NATS, trying again until it answers; `None` if shut down first.
async fn connect(servers: &str, mut shutdown: Pin<&mut impl Future<Output = ()>>) -> Option<bus::JetStream> {
    loop {
        let connected = tokio::select! {
            () = shutdown.as_mut() => return None,
            connected = bus::connect(servers, CONNECTION_NAME) => connected,
        };
        match connected {
            Ok(js) => return Some(js),
            Err(error) => {
                tracing::warn!(error = %error, "cannot reach NATS; trying again");
                if pause(shutdown.as_mut()).await {
                    return None;
                }
            }
        }
    }
}

/// Waits [`RETRY_AFTER_ERROR`]; true when shut down meanwhile.
async fn pause(shutdown: Pin<&mut impl Future<Output = ()>>) -> bool {
    tokio::select! {
        () = shutdown => true,
        () = tokio::time::sleep(RETRY_AFTER_ERROR) => false,
    }
}

/// Shows the relay's published position on the health board as it moves.
async fn report_progress(mut published: tokio::sync::watch::Receiver<u64>, health: Health) {
    loop {
        let position = *published.borrow_and_update();
        health.update(LOCK_NAME, |state| {
            state.condition = Condition::Running;
            state.position = position;
        });
        if published.changed().await.is_err() {
            return;
        }
    }
}

/// Aborts a helper task when its owner's scope ends.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
