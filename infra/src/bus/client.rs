//! Connecting to NATS: one server or a comma-separated list (a cluster).

use std::time::Duration;

use async_nats::jetstream;

use super::error::BusError;

/// How long one connection attempt may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Connects to `servers` (`nats://host:4222`, several comma-separated for a cluster)
/// as `name` (shown in the server's connection list) and returns a JetStream context.
/// Once connected, the client reconnects by itself for ever.
pub async fn connect(servers: &str, name: &str) -> Result<jetstream::Context, BusError> {
    let addresses: Vec<&str> = servers.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    if addresses.is_empty() {
        return Err(BusError::Nats {
            context: "connecting to NATS".to_owned(),
            source: "no server address given (expected nats://host:port[,nats://host:port…])".into(),
        });
    }
    let client = async_nats::ConnectOptions::new()
        .name(name)
        .connection_timeout(CONNECT_TIMEOUT)
        .max_reconnects(None)
        .connect(addresses.clone())
        .await
        .map_err(BusError::nats(format!("connecting to NATS at {}", redacted(&addresses))))?;
    Ok(jetstream::new(client))
}

/// The addresses without credentials (`nats://user:secret@host` shows as `nats://host`).
fn redacted(addresses: &[&str]) -> String {
    let shown: Vec<String> = addresses
        .iter()
        .map(|address| match address.rsplit_once('@') {
            Some((before, host)) => match before.split_once("://") {
                Some((scheme, _)) => format!("{scheme}://{host}"),
                None => host.to_owned(),
            },
            None => (*address).to_owned(),
        })
        .collect();
    shown.join(",")
}

#[cfg(test)]
mod tests {
    use super::redacted;

    #[test]
    fn credentials_never_show_in_addresses() {
        assert_eq!(redacted(&["nats://ann:s3cret@10.0.0.1:4222", "h:4222"]), "nats://10.0.0.1:4222,h:4222");
    }
}
