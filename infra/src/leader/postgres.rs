//! The PostgreSQL leader lock: `pg_try_advisory_lock` on a connection of its own,
//! kept alive and checked every heartbeat. The lock lives exactly as long as that
//! session, so a leader that dies or loses its connection frees it at once.

use sha2::{Digest, Sha256};
use sqlx::{Connection, PgConnection};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

use super::{LeaderError, LeaderTiming};

/// The advisory lock key of a name: the first 8 bytes of its SHA-256, so different
/// names never share a lock by accident and the key is stable across versions.
pub(super) fn lock_key(name: &str) -> i64 {
    let digest = Sha256::digest(format!("emporium-leader:{name}").as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}

pub(super) async fn acquire(
    url: &str,
    name: &str,
    timing: LeaderTiming,
    lost: watch::Sender<bool>,
    mut released: oneshot::Receiver<()>,
) -> Result<JoinHandle<()>, LeaderError> {
    let key = lock_key(name);
    let mut connection = PgConnection::connect(url).await?;
    let mut announced = false;
    loop {
        let held: bool =
            sqlx::query_scalar("SELECT pg_try_advisory_lock($1)").bind(key).fetch_one(&mut connection).await?;
        if held {
            break;
        }
        if !announced {
            tracing::info!(lock = name, "another process leads; standing by");
            announced = true;
        }
        tokio::time::sleep(timing.retry).await;
    }
    tracing::info!(lock = name, "leader lock acquired");
    Ok(tokio::spawn(async move {
        let mut heartbeat = tokio::time::interval(timing.heartbeat);
        heartbeat.tick().await;
        loop {
            tokio::select! {
                _ = &mut released => {
                    // Closing the session frees the lock; unlocking first says so at once.
                    let _ = sqlx::query("SELECT pg_advisory_unlock($1)").bind(key).execute(&mut connection).await;
                    let _ = connection.close().await;
                    return;
                }
                _ = heartbeat.tick() => {
                    if let Err(error) = sqlx::query("SELECT 1").execute(&mut connection).await {
                        tracing::error!(lock = %key, %error, "the leader lock's connection is gone; leadership lost");
                        lost.send_replace(true);
                        return;
                    }
                }
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_keys_are_stable_and_distinct_per_name() {
        assert_eq!(lock_key("process-managers"), lock_key("process-managers"));
        assert_ne!(lock_key("process-managers"), lock_key("relay"));
    }
}
