//! Waiting until a shop's read models have applied everything in the log, read from
//! `/health/ready` (its projections' lag), so a measurement does not start on top of
//! the backlog that set-up or a probe left.

use std::time::{Duration, Instant};

use super::http_client::Connection;

/// Polls `/health/ready` until the projections' lag is 0; fails after `limit`.
pub async fn wait(connection: &mut Connection, limit: Duration) -> anyhow::Result<()> {
    let deadline = Instant::now() + limit;
    loop {
        let answer = connection.get("/health/ready", &[]).await?.json()?;
        if answer["data"]["projections"]["lag"].as_u64() == Some(0) {
            return Ok(());
        }
        anyhow::ensure!(Instant::now() < deadline, "the read models did not catch up within {limit:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
