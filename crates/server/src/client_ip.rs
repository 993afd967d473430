//! The customer's address, for throttling key guesses. Behind a reverse
//! proxy every connection comes from the proxy, so the proxy's
//! `X-Forwarded-For` is believed — but only from proxies the administrator
//! named, since anyone else could write that header.

use std::net::IpAddr;

use axum::http::HeaderMap;

/// The address a request really comes from: the connecting peer, or, when
/// the peer is a trusted proxy, the right-most address in `X-Forwarded-For`
/// that is not itself a trusted proxy.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|part| part.trim().parse().ok())
        .collect();
    forwarded
        .into_iter()
        .rev()
        .find(|ip| !trusted.contains(ip))
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("address")
    }

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", xff.parse().expect("header"));
        h
    }

    #[test]
    fn untrusted_peers_cannot_claim_another_address() {
        assert_eq!(
            client_ip(
                ip("203.0.113.5"),
                &headers("198.51.100.1"),
                &[ip("10.0.0.1")]
            ),
            ip("203.0.113.5")
        );
    }

    #[test]
    fn trusted_proxy_forwards_the_client() {
        let proxy = ip("10.0.0.1");
        // A client can prepend anything; the proxy appends what it saw last.
        let h = headers("1.2.3.4, 198.51.100.7");
        assert_eq!(client_ip(proxy, &h, &[proxy]), ip("198.51.100.7"));
        let chained = headers("198.51.100.7, 10.0.0.2");
        assert_eq!(
            client_ip(proxy, &chained, &[proxy, ip("10.0.0.2")]),
            ip("198.51.100.7")
        );
        assert_eq!(client_ip(proxy, &HeaderMap::new(), &[proxy]), proxy);
        assert_eq!(client_ip(proxy, &headers("garbage"), &[proxy]), proxy);
    }
}
