//! The file leader lock: an exclusive OS lock (`flock` on Unix) on a file in the data
//! dir. The OS releases it when the holder exits, however it exits.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;

use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

use super::{LeaderError, LeaderTiming};

pub(super) async fn acquire(
    path: &Path,
    timing: LeaderTiming,
    lost: watch::Sender<bool>,
    released: oneshot::Receiver<()>,
) -> Result<JoinHandle<()>, LeaderError> {
    if let Some(parent) = path.parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)?;
    }
    let file = OpenOptions::new().create(true).truncate(false).write(true).open(path)?;
    let mut announced = false;
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(TryLockError::WouldBlock) => {
                if !announced {
                    tracing::info!(path = %path.display(), "another process leads; standing by");
                    announced = true;
                }
                tokio::time::sleep(timing.retry).await;
            }
            Err(TryLockError::Error(error)) => return Err(error.into()),
        }
    }
    tracing::info!(path = %path.display(), "leader lock acquired");
    Ok(tokio::spawn(hold(file, lost, released)))
}

/// Keeps the locked file open until released; closing it unlocks. A file lock cannot
/// be lost while the process lives, so `lost` is only kept (its drop would say "lost").
async fn hold(file: File, lost: watch::Sender<bool>, released: oneshot::Receiver<()>) {
    let _ = released.await;
    let _ = file.unlock();
    drop(lost);
}
