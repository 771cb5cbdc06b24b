//! Who a request came from, for the rate limits and the logs: the TCP peer, unless the
//! peer is a reverse proxy the operator trusts (`--trusted-proxy 10.0.0.0/8`), in
//! which case it is the address the proxies recorded in `X-Forwarded-For`: the
//! rightmost entry that is not itself a trusted proxy. Entries left of that were
//! written by the client and are never believed, so a client cannot pick its own
//! address (and with it a fresh quota) by sending the header.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request};
use ipnet::IpNet;

/// The header proxies append the address they received a request from to.
const FORWARDED_FOR: &str = "x-forwarded-for";

/// The proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses `10.0.0.0/8`, `192.168.1.7` or `::1` entries (a bare address is one host).
    pub fn parse(entries: &[String]) -> anyhow::Result<Self> {
        let nets = entries
            .iter()
            .map(|entry| {
                let entry = entry.trim();
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| anyhow::anyhow!("--trusted-proxy {entry:?} is not an address or a CIDR block"))
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Self(nets))
    }

    fn trusts(&self, address: IpAddr) -> bool {
        let address = address.to_canonical();
        self.0.iter().any(|net| net.contains(&address))
    }

    /// The client of `request`; `None` when it has no peer address (in-process tests).
    pub fn client_of(&self, request: &Request) -> Option<IpAddr> {
        let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(peer)| peer.ip())?;
        if !self.trusts(peer) {
            return Some(peer);
        }
        let forwarded = request.headers().get_all(FORWARDED_FOR).iter().filter_map(|value| value.to_str().ok());
        // Every header line in order, then each line's entries: the last entry is the
        // address the nearest proxy saw.
        let entries: Vec<&str> = forwarded.flat_map(|line| line.split(',')).map(str::trim).collect();
        for entry in entries.iter().rev() {
            match entry.parse::<IpAddr>() {
                Ok(address) if self.trusts(address) => continue,
                Ok(address) => return Some(address.to_canonical()),
                // A proxy wrote something that is not an address: stop at the last
                // address we can vouch for.
                Err(_) => break,
            }
        }
        Some(peer)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use axum::body::Body;

    use super::*;

    fn request(peer: &str, forwarded: &[&str]) -> Request {
        let mut request = Request::new(Body::empty());
        for line in forwarded {
            request.headers_mut().append(FORWARDED_FOR, line.parse().unwrap());
        }
        request.extensions_mut().insert(ConnectInfo(SocketAddr::new(peer.parse().unwrap(), 40_000)));
        request
    }

    fn proxies(entries: &[&str]) -> TrustedProxies {
        TrustedProxies::parse(&entries.iter().map(|e| (*e).to_owned()).collect::<Vec<_>>()).unwrap()
    }

    fn ip(text: &str) -> Option<IpAddr> {
        Some(text.parse().unwrap())
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let none = TrustedProxies::default();
        assert_eq!(none.client_of(&request("198.51.100.9", &["203.0.113.5"])), ip("198.51.100.9"));
    }

    #[test]
    fn behind_trusted_proxies_the_client_is_the_rightmost_untrusted_entry() {
        let trusted = proxies(&["10.0.0.0/8", "127.0.0.1"]);
        let forged_then_real = request("10.0.0.2", &["1.2.3.4, 203.0.113.5", "10.0.0.1"]);
        assert_eq!(trusted.client_of(&forged_then_real), ip("203.0.113.5"), "the client's own entry is not believed");
        assert_eq!(trusted.client_of(&request("127.0.0.1", &[])), ip("127.0.0.1"), "no header: the proxy itself");
        assert_eq!(trusted.client_of(&request("127.0.0.1", &["junk"])), ip("127.0.0.1"));
        assert_eq!(
            trusted.client_of(&request("198.51.100.9", &["203.0.113.5"])),
            ip("198.51.100.9"),
            "an untrusted peer's header is ignored"
        );
        assert_eq!(trusted.client_of(&request("::ffff:10.0.0.3", &["2001:db8::1"])), ip("2001:db8::1"));
    }

    #[test]
    fn entries_that_are_not_addresses_or_blocks_are_refused() {
        assert!(TrustedProxies::parse(&["10.0.0.0/33".to_owned()]).is_err());
        assert!(TrustedProxies::parse(&["proxy.internal".to_owned()]).is_err());
    }
}
