//! The shared store: the GCRA step (the algorithm `governor` runs in process) as one
//! Lua script in Redis, atomic per key. The clock is the Redis server's own (`TIME`),
//! so replicas with skewed clocks still agree. A key holds its theoretical arrival time
//! in microseconds and expires once its whole burst is back.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use redis::Script;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::{Quota, RateLimitStoreError};

/// Admit (0) or the wait in microseconds, for one key: the theoretical arrival time
/// moves one replenish interval per admitted request and may run at most a burst's
/// worth ahead of now.
const GCRA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tau = interval * tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local new_tat = tat + interval
local wait = new_tat - tau - now
if wait > 0 then return wait end
redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', math.ceil((new_tat - now) / 1000))
return 0
";

/// The longest a check waits for Redis before counting in this process instead.
const ANSWER_WITHIN: Duration = Duration::from_millis(250);
/// After Redis failed to answer, how long checks count in this process before asking
/// Redis again (so an outage does not add the wait above to every request).
const BACK_OFF: Duration = Duration::from_secs(1);

/// Counts kept in one Redis server.
#[derive(Clone)]
pub struct SharedCounts {
    connection: ConnectionManager,
    script: Arc<Script>,
    /// Where the URL points, without credentials (for logs and errors).
    server: String,
    /// Milliseconds after `epoch` before which Redis is not asked (0: ask).
    quiet_until_ms: Arc<AtomicU64>,
    epoch: Instant,
}

impl std::fmt::Debug for SharedCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedCounts").field("server", &self.server).finish()
    }
}

impl SharedCounts {
    /// Connects to the Redis server at `url` and checks that it answers.
    pub async fn connect(url: &str) -> Result<Self, RateLimitStoreError> {
        let server = without_credentials(url);
        let unreachable = |reason: String| RateLimitStoreError::Unreachable { url: server.clone(), reason };
        let client = redis::Client::open(url).map_err(|e| unreachable(e.to_string()))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(ANSWER_WITHIN))
            .set_number_of_retries(1);
        let mut connection =
            ConnectionManager::new_with_config(client, config).await.map_err(|e| unreachable(e.to_string()))?;
        redis::cmd("PING").query_async::<String>(&mut connection).await.map_err(|e| unreachable(e.to_string()))?;
        Ok(Self {
            connection,
            script: Arc::new(Script::new(GCRA)),
            server,
            quiet_until_ms: Arc::new(AtomicU64::new(0)),
            epoch: Instant::now(),
        })
    }

    /// One request for `key` of limiter `name`: the verdict, or `None` when Redis gave
    /// none (it failed now, which is logged once, or less than [`BACK_OFF`] ago).
    pub(super) async fn check(&self, name: &str, key: &str, quota: Quota) -> Option<Result<(), Duration>> {
        let now_ms = self.epoch.elapsed().as_millis() as u64;
        if now_ms < self.quiet_until_ms.load(Ordering::Relaxed) {
            return None;
        }
        let interval_us = quota.replenish_interval().as_micros().max(1) as u64;
        let mut connection = self.connection.clone();
        let mut invocation = self.script.key(format!("emporium:rate:{name}:{key}"));
        invocation.arg(interval_us).arg(quota.burst_size().get());
        let call = invocation.invoke_async::<u64>(&mut connection);
        let failure = match tokio::time::timeout(ANSWER_WITHIN, call).await {
            Ok(Ok(0)) => return Some(Ok(())),
            Ok(Ok(wait_us)) => return Some(Err(Duration::from_micros(wait_us))),
            Ok(Err(error)) => error.to_string(),
            Err(_) => format!("no answer within {ANSWER_WITHIN:?}"),
        };
        self.quiet_until_ms.store(now_ms + BACK_OFF.as_millis() as u64, Ordering::Relaxed);
        tracing::warn!(limiter = name, server = %self.server, reason = %failure, "the rate-limit store does not answer; counting in this process");
        None
    }
}

/// `redis://user:secret@host:port/0` → `redis://host:port/0`.
fn without_credentials(url: &str) -> String {
    match (url.split_once("://"), url.rfind('@')) {
        (Some((scheme, _)), Some(at)) => format!("{scheme}://{}", &url[at + 1..]),
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::without_credentials;

    #[test]
    fn credentials_never_reach_logs() {
        assert_eq!(without_credentials("redis://:hunter2@cache:6379/0"), "redis://cache:6379/0");
        assert_eq!(without_credentials("redis://127.0.0.1:6379"), "redis://127.0.0.1:6379");
    }
}
