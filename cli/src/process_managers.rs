//! Runs the order saga and the notification dispatcher while this process holds the
//! leader lock of its store, so that several `serve`/`write-api` processes on one store
//! run them once: the others stand by and one takes over when the leader goes away
//! (or loses its lock's connection, in which case it stops its own first).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use emporium_commands::notifications::NotificationDispatcher;
use emporium_commands::sagas::order_fulfilment::OrderFulfilment;
use emporium_infra::follow::health::Condition;
use emporium_infra::follow::{EventSource, Health, Running};
use emporium_infra::leader::{LeaderLock, LeaderTiming};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The lock's name: one leader per store for both process managers.
const LOCK_NAME: &str = "process-managers";
/// Wait after a failed attempt to ask for the lock (database down, say).
const RETRY_AFTER_ERROR: Duration = Duration::from_secs(5);

/// Builds fresh, not yet running, process managers (each leadership term gets its own).
pub type Factory = Arc<dyn Fn() -> (OrderFulfilment, NotificationDispatcher) + Send + Sync>;

/// The supervisor task; [`stop`](Self::stop) it on shutdown.
#[derive(Debug)]
pub struct ProcessManagers {
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<anyhow::Result<()>>,
}

impl ProcessManagers {
    /// Starts supervising: acquire the lock, run both over `source` (reporting to
    /// `health`), and on losing the lock stop them and try again.
    pub fn spawn(
        lock: LeaderLock,
        timing: LeaderTiming,
        factory: Factory,
        source: Arc<dyn EventSource>,
        health: Health,
    ) -> Self {
        let (stop, stopped) = oneshot::channel();
        let term = Term { factory, source, health };
        Self { stop: Some(stop), task: tokio::spawn(supervise(lock, timing, term, stopped)) }
    }

    /// Stops the process managers (each finishes the work in hand) and gives the lock up.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task).await.context("the process manager supervisor panicked")?
    }
}

/// What a leadership term starts.
struct Term {
    factory: Factory,
    source: Arc<dyn EventSource>,
    health: Health,
}

impl Term {
    fn start(&self) -> (Running, Running) {
        let (saga, dispatcher) = (self.factory)();
        (
            saga.follower(self.source.clone(), self.health.clone()).spawn(),
            dispatcher.follower(self.source.clone(), self.health.clone()).spawn(),
        )
    }

    /// Shows both as standing by (not leading: ready, and not stopped).
    fn stand_by(&self) {
        for name in [OrderFulfilment::NAME, NotificationDispatcher::NAME] {
            self.health.register(name, self.source.kind());
            self.health.update(name, |state| state.condition = Condition::Standby);
        }
    }
}

async fn supervise(
    lock: LeaderLock,
    timing: LeaderTiming,
    term: Term,
    mut stopped: oneshot::Receiver<()>,
) -> anyhow::Result<()> {
    loop {
        term.stand_by();
        let acquired = tokio::select! {
            _ = &mut stopped => return Ok(()),
            acquired = lock.acquire(LOCK_NAME, timing) => acquired,
        };
        let mut leadership = match acquired {
            Ok(leadership) => leadership,
            Err(error) => {
                tracing::warn!(%error, "cannot ask for the leader lock; trying again");
                tokio::select! {
                    _ = &mut stopped => return Ok(()),
                    () = tokio::time::sleep(RETRY_AFTER_ERROR) => continue,
                }
            }
        };
        tracing::info!("leading: running the order saga and the notification dispatcher");
        let running = term.start();
        tokio::select! {
            _ = &mut stopped => {
                stop_both(running).await;
                leadership.release().await;
                return Ok(());
            }
            () = leadership.lost() => {
                tracing::error!("leader lock lost: stopping the order saga and the notification dispatcher");
                stop_both(running).await;
            }
        }
    }
}

/// Stops both, each after the work in hand.
async fn stop_both((saga, dispatcher): (Running, Running)) {
    futures::future::join(saga.stop(), dispatcher.stop()).await;
}
