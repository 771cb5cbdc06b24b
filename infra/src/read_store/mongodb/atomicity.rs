//! How a unit of work (a batch with its checkpoint, a reset, a count with its page)
//! is made atomic: in a multi-document transaction where the server has them, else
//! by the position guards of every write alone.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use mongodb::bson::doc;
use mongodb::error::{TRANSIENT_TRANSACTION_ERROR, UNKNOWN_TRANSACTION_COMMIT_RESULT};
use mongodb::{BoxFuture, Client, ClientSession};

/// Whether the store's units of work run in transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Atomicity {
    /// Multi-document transactions (replica sets, sharded clusters, SecantusDB):
    /// a batch and its checkpoint commit together or not at all, and transient
    /// conflicts (e.g. two committers of one projection) are retried.
    Transactions,
    /// No transactions (a standalone server): each write is applied on its own,
    /// guarded by position, and the checkpoint moves last. A batch interrupted half
    /// way is visible in part until its redelivery completes it; a redelivery never
    /// applies anything twice.
    Guards,
}

impl Atomicity {
    /// Asks the server: transactions need a replica set member or a `mongos` router
    /// that has logical sessions.
    pub(super) async fn detect(client: &Client) -> mongodb::error::Result<Self> {
        let hello = client.database("admin").run_command(doc! { "hello": 1 }).await?;
        let replica_set = hello.contains_key("setName");
        let router = hello.get_str("msg").is_ok_and(|msg| msg == "isdbgrid");
        let sessions = hello.contains_key("logicalSessionTimeoutMinutes");
        Ok(if sessions && (replica_set || router) { Self::Transactions } else { Self::Guards })
    }

    /// Runs `work` in a new session: inside a transaction (committed when it returns
    /// `Ok`, aborted on error) or straight. A transaction that fails transiently (a
    /// write conflict with a concurrent committer, a lost primary) is run again,
    /// with a growing jittered pause, for up to [`RETRY_BUDGET`]; `work` may therefore
    /// run several times, so it takes its inputs by reference through `context`.
    pub(super) async fn run<C, R, F>(self, client: &Client, mut context: C, mut work: F) -> mongodb::error::Result<R>
    where
        F: for<'b> FnMut(&'b mut ClientSession, &'b mut C) -> BoxFuture<'b, mongodb::error::Result<R>>,
    {
        let mut session = client.start_session().await?;
        if self == Self::Guards {
            return work(&mut session, &mut context).await;
        }
        let started = Instant::now();
        let retry = |error: &mongodb::error::Error, label: &str| {
            error.contains_label(label) && started.elapsed() < RETRY_BUDGET
        };
        let mut attempt = 0;
        'transaction: loop {
            if attempt > 0 {
                tokio::time::sleep(backoff(attempt)).await;
            }
            attempt += 1;
            session.start_transaction().await?;
            let value = match work(&mut session, &mut context).await {
                Ok(value) => value,
                Err(error) => {
                    // Errors of abortTransaction itself are meaningless (the driver
                    // drops them); the one that matters is `error`.
                    let _ = session.abort_transaction().await;
                    if retry(&error, TRANSIENT_TRANSACTION_ERROR) {
                        continue 'transaction;
                    }
                    return Err(error);
                }
            };
            loop {
                match session.commit_transaction().await {
                    Ok(()) => return Ok(value),
                    // The commit may or may not have happened: committing again is safe.
                    Err(error) if retry(&error, UNKNOWN_TRANSACTION_COMMIT_RESULT) => continue,
                    Err(error) if retry(&error, TRANSIENT_TRANSACTION_ERROR) => continue 'transaction,
                    Err(error) => return Err(error),
                }
            }
        }
    }
}

/// How long a transaction is retried after transient failures (the driver's own
/// helper retries for two minutes, too long for a read API request).
const RETRY_BUDGET: Duration = Duration::from_secs(20);

/// The pause before attempt `attempt + 1`: 5 ms growing by half each time, capped at
/// 500 ms, scaled by a jitter so that conflicting committers spread out.
fn backoff(attempt: u32) -> Duration {
    let jitter =
        f64::from(SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos()) % 1000) / 1000.0;
    let millis = (5.0 * 1.5_f64.powi(i32::try_from(attempt).unwrap_or(i32::MAX))).min(500.0);
    Duration::from_secs_f64(jitter * millis / 1000.0)
}
