//! Leadership: at most one process per store runs the process managers (the order
//! saga and the notification dispatcher). Everything they do dedupes, so a second
//! runner would be safe, but it would do every step twice and race the first on the
//! provider and the mail server; with a lock, extra processes stand by and one of them
//! takes over when the leader goes away.
//!
//! Two locks: [`LeaderLock::Postgres`], a session-level advisory lock held on a
//! connection of its own (lost when that connection is — the holder hears of it
//! through [`Leadership::lost`] within one heartbeat), for processes sharing a
//! PostgreSQL store; and [`LeaderLock::File`], an exclusive lock on a file in the data
//! dir (one file per lock name), for processes sharing an embedded store (released by the OS when the process
//! dies, so a killed leader never blocks its successor).

mod file;
#[cfg(feature = "postgres")]
mod postgres;

use std::path::PathBuf;
use std::time::Duration;

use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

/// Where the lock lives.
#[derive(Clone, PartialEq, Eq)]
pub enum LeaderLock {
    /// A PostgreSQL advisory lock in this database.
    Postgres {
        /// The database URL (never logged: it may hold a password).
        url: String,
    },
    /// An exclusive lock on the file `leader-<name>.lock` in this directory.
    File {
        /// Where the lock files live (created if missing), e.g. the data dir.
        dir: PathBuf,
    },
}

impl std::fmt::Debug for LeaderLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Postgres { .. } => f.write_str("LeaderLock::Postgres"),
            Self::File { dir } => f.debug_struct("LeaderLock::File").field("dir", dir).finish(),
        }
    }
}

/// Why leadership could not be asked for.
#[derive(Debug, thiserror::Error)]
pub enum LeaderError {
    /// The database could not be reached or refused.
    #[error("leader lock in PostgreSQL: {0}")]
    Database(#[from] sqlx::Error),
    /// The lock file could not be opened or locked.
    #[error("leader lock file: {0}")]
    File(#[from] std::io::Error),
}

/// How often a waiting process asks again, and a leader checks its lock is still held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeaderTiming {
    /// Between attempts while another process leads.
    pub retry: Duration,
    /// Between checks that the lock's connection is alive (PostgreSQL).
    pub heartbeat: Duration,
}

impl Default for LeaderTiming {
    fn default() -> Self {
        Self { retry: Duration::from_secs(2), heartbeat: Duration::from_secs(5) }
    }
}

/// Held leadership; released by [`release`](Self::release) or when dropped.
#[derive(Debug)]
pub struct Leadership {
    lost: watch::Receiver<bool>,
    release: Option<oneshot::Sender<()>>,
    keeper: JoinHandle<()>,
}

impl Leadership {
    /// Resolves when the lock is lost (its connection died); never for a file lock.
    pub async fn lost(&mut self) {
        // An error means the keeper ended, which it only does once the lock is gone.
        let _ = self.lost.wait_for(|lost| *lost).await;
    }

    /// Gives the lock up and waits until it is released.
    pub async fn release(mut self) {
        if let Some(release) = self.release.take() {
            let _ = release.send(());
        }
        let _ = (&mut self.keeper).await;
    }
}

impl LeaderLock {
    /// Waits until this process holds the lock named `name`; errors only when the lock
    /// cannot be asked for at all (the caller may retry).
    pub async fn acquire(&self, name: &str, timing: LeaderTiming) -> Result<Leadership, LeaderError> {
        let (lost_tx, lost) = watch::channel(false);
        let (release, released) = oneshot::channel();
        let keeper = match self {
            #[cfg(feature = "postgres")]
            Self::Postgres { url } => postgres::acquire(url, name, timing, lost_tx, released).await?,
            #[cfg(not(feature = "postgres"))]
            Self::Postgres { .. } => {
                return Err(LeaderError::File(std::io::Error::other("built without the `postgres` feature")));
            }
            Self::File { dir } => {
                file::acquire(&dir.join(format!("leader-{name}.lock")), timing, lost_tx, released).await?
            }
        };
        Ok(Leadership { lost, release: Some(release), keeper })
    }
}
