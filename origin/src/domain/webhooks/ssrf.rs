//! Keeping webhooks out of the origin's own network (server-side request forgery). A webhook
//! URL is chosen by a merchant, and the origin POSTs to it from inside the deployment, so
//! loopback, private and link-local addresses are refused: when the URL is registered, and
//! again at every send, where the resolver drops such addresses (a name may resolve
//! differently later: DNS rebinding).

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Why `ip` may not receive webhooks, or `None` when it is a public address.
pub fn forbidden(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => forbidden_v4(v4),
            None => forbidden_v6(v6),
        },
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    Some(if ip.is_loopback() {
        "a loopback address"
    } else if ip.is_private() {
        "a private address (RFC 1918)"
    } else if ip.is_link_local() {
        "a link-local address"
    } else if a == 100 && (64..128).contains(&b) {
        "a shared (carrier-grade NAT) address"
    } else if ip.is_unspecified() || a == 0 {
        "an unspecified address"
    } else if ip.is_broadcast() || ip.is_multicast() || a >= 240 {
        "a broadcast, multicast or reserved address"
    } else {
        return None;
    })
}

fn forbidden_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let first = ip.segments()[0];
    Some(if ip.is_loopback() {
        "a loopback address"
    } else if ip.is_unspecified() {
        "an unspecified address"
    } else if first & 0xfe00 == 0xfc00 {
        "a unique local address (fc00::/7)"
    } else if first & 0xffc0 == 0xfe80 {
        "a link-local address"
    } else if ip.is_multicast() {
        "a multicast address"
    } else {
        return None;
    })
}

/// Checks a webhook URL's host when it is registered. A literal address must be public; a
/// name must resolve, and only to public addresses. `localhost` never is.
pub async fn check_host(url: &reqwest::Url) -> Result<(), String> {
    let refuse = |what: &str, why: &str| {
        Err(format!(
            "url's host {what} is {why}; webhooks go to public addresses only \
             (set LINKPAY_WEBHOOK_ALLOW_PRIVATE_NETWORKS=true for local development)."
        ))
    };
    match url.host() {
        Some(url::Host::Ipv4(ip)) => match forbidden(IpAddr::V4(ip)) {
            Some(why) => refuse(&ip.to_string(), why),
            None => Ok(()),
        },
        Some(url::Host::Ipv6(ip)) => match forbidden(IpAddr::V6(ip)) {
            Some(why) => refuse(&ip.to_string(), why),
            None => Ok(()),
        },
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            if name == "localhost" || name.ends_with(".localhost") {
                return refuse(&name, "a loopback name");
            }
            let port = url.port_or_known_default().unwrap_or(443);
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), port))
                .await
                .map_err(|_| {
                    format!("url's host {name} does not resolve; check the name for typos.")
                })?
                .collect();
            match addrs.iter().find_map(|a| forbidden(a.ip())) {
                Some(why) => refuse(&format!("{name} resolves to an address that"), why),
                None => Ok(()),
            }
        }
        None => Err("url must have a host.".into()),
    }
}

/// Why a send to a URL with a literal address is refused (names are filtered by
/// [`PublicOnly`] instead).
pub fn literal_forbidden(url: &reqwest::Url) -> Option<&'static str> {
    match url.host()? {
        url::Host::Ipv4(ip) => forbidden(IpAddr::V4(ip)),
        url::Host::Ipv6(ip) => forbidden(IpAddr::V6(ip)),
        url::Host::Domain(_) => None,
    }
}

/// A resolver for the webhook client that only ever hands out public addresses.
pub struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let all: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = all
                .into_iter()
                .filter(|a| forbidden(a.ip()).is_none())
                .collect();
            if public.is_empty() {
                return Err(format!("{host} resolves only to non-public addresses").into());
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn why(s: &str) -> Option<&'static str> {
        forbidden(s.parse().expect("ip"))
    }

    #[test]
    fn internal_addresses_are_refused_and_public_ones_pass() {
        for ip in [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.255",
            "0.0.0.0",
            "0.1.2.3",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
        ] {
            assert!(why(ip).is_some(), "{ip} must be refused");
        }
        for ip in [
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "203.0.113.10",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert_eq!(why(ip), None, "{ip} is public");
        }
    }

    #[test]
    fn literal_hosts_are_checked_before_any_send() {
        let url = |s: &str| reqwest::Url::parse(s).expect("url");
        assert!(literal_forbidden(&url("http://127.0.0.1:9/x")).is_some());
        assert!(literal_forbidden(&url("http://[::1]/x")).is_some());
        assert!(literal_forbidden(&url("https://203.0.113.10/x")).is_none());
        assert!(literal_forbidden(&url("https://hooks.example.com/x")).is_none());
    }
}
