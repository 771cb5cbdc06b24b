//! Turns the payment flags into a gateway and the checkout's deadline.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use emporium_infra::payments::PaymentGateway;
use emporium_infra::payments::simulated::{SimulatedGateway, SimulatedOptions};
use emporium_infra::payments::stripe::{DEFAULT_TIMEOUT, StripeConfig, StripeGateway};

use crate::config::{PaymentArgs, PaymentProvider};

/// The simulated provider's journal, under the data dir.
pub const SIMULATED_JOURNAL: &str = "simulated-payments.jsonl";

/// The gateway the flags name.
pub fn gateway(args: &PaymentArgs, data_dir: &Path) -> anyhow::Result<Arc<dyn PaymentGateway>> {
    Ok(match args.payments {
        PaymentProvider::Simulated => {
            if !(0.0..=1.0).contains(&args.simulated_failure_rate) {
                anyhow::bail!("--simulated-failure-rate must be between 0 and 1, not {}", args.simulated_failure_rate);
            }
            let options = SimulatedOptions {
                latency: Duration::from_millis(args.simulated_latency_ms),
                failure_rate: args.simulated_failure_rate,
            };
            let path = data_dir.join(SIMULATED_JOURNAL);
            let gateway = SimulatedGateway::open(options, &path)
                .with_context(|| format!("opening the simulated payment journal {}", path.display()))?;
            tracing::info!(path = %path.display(), ?options, "payments: simulated Stripe test mode");
            Arc::new(gateway)
        }
        PaymentProvider::Stripe => {
            let key = args
                .stripe_secret_key
                .as_ref()
                .context("--payments stripe needs --stripe-secret-key (or EMPORIUM_STRIPE_SECRET_KEY)")?;
            let config = StripeConfig {
                secret_key: key.expose().to_owned(),
                base_url: args.stripe_api_base.trim_end_matches('/').to_owned(),
                timeout: DEFAULT_TIMEOUT,
            };
            let gateway = StripeGateway::new(config).context("building the Stripe client")?;
            tracing::info!(base_url = %args.stripe_api_base, "payments: Stripe");
            Arc::new(gateway)
        }
    })
}

/// How long a declined order waits for a new payment method.
pub fn payment_deadline(args: &PaymentArgs) -> Duration {
    Duration::from_secs(args.payment_deadline_secs)
}
