//! The built-in load generator: closed loop (N clients, each sending its next request
//! when the last one answered, for a fixed time) for throughput, and open loop (a
//! fixed arrival rate) for latency.
//!
//! Open-loop latency counts from each request's *scheduled* send time, not from when
//! a client got round to sending it: when the system stalls, the requests that
//! should have gone out meanwhile are charged the wait (no coordinated omission).

use std::future::Future;
use std::time::{Duration, Instant};

use anyhow::Context;
use hdrhistogram::Histogram;
use tokio::sync::mpsc;

/// One simulated client: it owns its connection or streams and sends one request
/// per call.
pub trait Operation: Send + 'static {
    /// Sends one request scheduled for `scheduled`; returns the latencies it measured
    /// (most operations: one, `scheduled.elapsed()`; some measure several stages).
    fn call(&mut self, scheduled: Instant) -> impl Future<Output = anyhow::Result<Vec<Duration>>> + Send;
}

/// What a closed-loop run did.
#[derive(Debug, Clone, Copy)]
pub struct Throughput {
    /// Requests answered successfully.
    pub completed: u64,
    /// From the start until the last client stopped.
    pub elapsed: Duration,
}

impl Throughput {
    /// Successful requests per second.
    pub fn per_second(&self) -> f64 {
        self.completed as f64 / self.elapsed.as_secs_f64()
    }
}

/// Runs every client in its own task, back to back, for `duration`; a client
/// finishes the request it is in when time is up. Fails when every request failed.
pub async fn closed_loop<O: Operation>(clients: Vec<O>, duration: Duration) -> anyhow::Result<Throughput> {
    let start = Instant::now();
    let end = start + duration;
    let tasks: Vec<_> = clients
        .into_iter()
        .map(|mut client| {
            tokio::spawn(async move {
                let (mut completed, mut failed, mut first_error) = (0u64, 0u64, None);
                while Instant::now() < end {
                    match client.call(Instant::now()).await {
                        Ok(_) => completed += 1,
                        Err(error) => {
                            failed += 1;
                            first_error.get_or_insert(error);
                        }
                    }
                }
                (completed, failed, first_error)
            })
        })
        .collect();
    let (mut completed, mut failed, mut first_error) = (0, 0, None);
    for task in tasks {
        let (done, errors, error) = task.await.context("a load client panicked")?;
        completed += done;
        failed += errors;
        first_error = first_error.or(error);
    }
    let elapsed = start.elapsed();
    if let Some(error) = first_error {
        if completed == 0 {
            return Err(error.context("every request failed"));
        }
        eprintln!("  warning: {failed} of {} requests failed; first: {error:#}", completed + failed);
    }
    Ok(Throughput { completed, elapsed })
}

/// When request `index` (0-based) is due at `rate` per second from `start`.
pub fn scheduled_at(start: Instant, rate: f64, index: u64) -> Instant {
    start + Duration::from_secs_f64(index as f64 / rate)
}

/// Latency percentiles, in microseconds, of one stage of an open-loop run.
#[derive(Debug, Clone)]
pub struct Latencies {
    histogram: Histogram<u64>,
}

impl Latencies {
    /// An empty record from 1 µs to 10 minutes at 3 significant digits.
    pub fn new() -> anyhow::Result<Self> {
        Ok(Self { histogram: Histogram::new_with_bounds(1, 600_000_000, 3).context("sizing a histogram")? })
    }

    /// Records one latency (clamped into the histogram's range).
    pub fn record(&mut self, latency: Duration) {
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX).clamp(1, self.histogram.high());
        // In range by the clamp above, so this cannot fail.
        let _ = self.histogram.record(micros);
    }

    /// The `q`-quantile (0.5 = median) in milliseconds.
    pub fn millis(&self, q: f64) -> f64 {
        self.histogram.value_at_quantile(q) as f64 / 1000.0
    }

    /// How many latencies were recorded.
    pub fn count(&self) -> u64 {
        self.histogram.len()
    }
}

/// What an open-loop run measured: one record per stage an operation reports.
#[derive(Debug)]
pub struct OpenLoop {
    /// Per stage, the latencies from the scheduled send time (stage 0) or as the
    /// operation measured them (later stages).
    pub stages: Vec<Latencies>,
    /// Requests that failed.
    pub failed: u64,
    /// Requests sent.
    pub sent: u64,
    /// From the last request's scheduled time to the last answer: far above the
    /// service time, the system (or the client pool) did not keep up with the rate.
    pub drained: Duration,
}

/// Sends requests at `rate` per second for `duration`, each on whichever client is
/// free (waiting for one when all are busy, which the latency then includes).
pub async fn open_loop<O: Operation>(clients: Vec<O>, rate: f64, duration: Duration) -> anyhow::Result<OpenLoop> {
    anyhow::ensure!(rate > 0.0 && !clients.is_empty(), "an open loop needs a positive rate and a client");
    let (free_tx, mut free_rx) = mpsc::unbounded_channel();
    for client in clients {
        let _ = free_tx.send(client);
    }
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<anyhow::Result<Vec<Duration>>>();
    let start = Instant::now();
    let total = (duration.as_secs_f64() * rate).round() as u64;
    for index in 0..total {
        let due = scheduled_at(start, rate, index);
        tokio::time::sleep_until(due.into()).await;
        let mut client = free_rx.recv().await.context("every load client is gone")?;
        let (free_tx, done_tx) = (free_tx.clone(), done_tx.clone());
        tokio::spawn(async move {
            let result = client.call(due).await;
            let _ = free_tx.send(client);
            let _ = done_tx.send(result);
        });
    }
    drop(done_tx);
    let last_due = scheduled_at(start, rate, total.saturating_sub(1));
    let mut out = OpenLoop { stages: Vec::new(), failed: 0, sent: total, drained: Duration::ZERO };
    let mut first_error = None;
    while let Some(result) = done_rx.recv().await {
        match result {
            Ok(latencies) => {
                for (stage, latency) in latencies.into_iter().enumerate() {
                    if out.stages.len() <= stage {
                        out.stages.push(Latencies::new()?);
                    }
                    out.stages[stage].record(latency);
                }
            }
            Err(error) => {
                out.failed += 1;
                first_error.get_or_insert(error);
            }
        }
    }
    out.drained = last_due.elapsed();
    if let Some(error) = first_error {
        anyhow::ensure!(out.failed < out.sent, "every request failed: {error:#}");
        eprintln!("  warning: {} of {} requests failed; first: {error:#}", out.failed, out.sent);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A client that takes a fixed time per request.
    struct Sleeper(Duration);

    impl Operation for Sleeper {
        async fn call(&mut self, scheduled: Instant) -> anyhow::Result<Vec<Duration>> {
            tokio::time::sleep(self.0).await;
            Ok(vec![scheduled.elapsed()])
        }
    }

    #[test]
    fn the_schedule_spaces_requests_evenly_at_the_rate() {
        let start = Instant::now();
        assert_eq!(scheduled_at(start, 200.0, 0), start);
        assert_eq!(scheduled_at(start, 200.0, 1) - start, Duration::from_millis(5));
        assert_eq!(scheduled_at(start, 200.0, 400) - start, Duration::from_secs(2));
    }

    #[test]
    fn percentiles_come_out_in_milliseconds() {
        let mut latencies = Latencies::new().unwrap();
        for ms in 1..=100 {
            latencies.record(Duration::from_millis(ms));
        }
        assert_eq!(latencies.count(), 100);
        assert!((latencies.millis(0.5) - 50.0).abs() < 0.1, "{}", latencies.millis(0.5));
        assert!((latencies.millis(0.99) - 99.0).abs() < 0.1, "{}", latencies.millis(0.99));
    }

    #[tokio::test]
    async fn an_overloaded_open_loop_charges_the_queueing_to_the_late_requests() {
        // 20 requests due 5 ms apart, one client that needs 20 ms each: the last one is
        // due at 95 ms but can only finish at ~400 ms. A closed loop (or timing from
        // the actual send) would report ~20 ms for every request.
        let run = open_loop(vec![Sleeper(Duration::from_millis(20))], 200.0, Duration::from_millis(100)).await.unwrap();
        assert_eq!(run.sent, 20);
        assert_eq!(run.stages[0].count(), 20);
        assert!(run.drained > Duration::from_millis(250), "drained after {:?}", run.drained);
        assert!(run.stages[0].millis(1.0) > 250.0, "max {} ms", run.stages[0].millis(1.0));
        assert!(run.stages[0].millis(0.0) < 60.0, "min {} ms", run.stages[0].millis(0.0));
    }

    #[tokio::test]
    async fn a_closed_loop_counts_completed_requests_over_the_time_taken() {
        let clients = vec![Sleeper(Duration::from_millis(10)), Sleeper(Duration::from_millis(10))];
        let run = closed_loop(clients, Duration::from_millis(200)).await.unwrap();
        // Two clients at ~100/s each for 0.2 s (timer slack makes it a little fewer).
        assert!((20..=42).contains(&run.completed), "{}", run.completed);
        let rate = run.per_second();
        assert!((100.0..=210.0).contains(&rate), "{rate}");
    }
}
