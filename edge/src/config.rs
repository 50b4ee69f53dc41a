//! The worker's settings, read from its environment bindings and checked once per request.
//!
//! | binding               | kind   | meaning                                                    |
//! |-----------------------|--------|------------------------------------------------------------|
//! | `ORIGIN_URL`          | var    | origin server, `http(s)://host[:port]`, no path            |
//! | `LINK_KEYS`           | secret | `kid:base64urlkey,...`, first is current (link tokens)     |
//! | `EDGE_SECRET`         | secret | base64url of ≥ 32 bytes: edge↔origin channel, result pages |
//! | `FORM_ACTION_ORIGINS` | var    | optional, space-separated extra origins for CSP form-action |

use linkpay_shared::SecretKey;
use linkpay_shared::token::Keyring;
use std::fmt;

pub const ORIGIN_URL: &str = "ORIGIN_URL";
pub const LINK_KEYS: &str = "LINK_KEYS";
pub const EDGE_SECRET: &str = "EDGE_SECRET";
pub const FORM_ACTION_ORIGINS: &str = "FORM_ACTION_ORIGINS";

/// The hosted payment pages a pay form's redirects may end on: Chrome applies `form-action`
/// to the whole redirect chain, so Stripe Checkout's and GMO-PG's Link type Plus pages (test
/// site too) are allowed by default. The sandbox's and LINE Pay's pages are on the origin or
/// come after a page of its.
pub const PAYMENT_PAGES: &str =
    "https://checkout.stripe.com https://link.mul-pay.jp https://stg.link.mul-pay.jp";

#[derive(Debug)]
pub struct Config {
    /// `scheme://host[:port]`, without a trailing slash.
    pub origin_url: String,
    pub keyring: Keyring,
    pub edge_secret: SecretKey,
    /// The CSP `form-action` source list: `'self'`, the origin, then any extra origins.
    pub form_action: String,
}

/// Names the variable that is wrong. Never carries the variable's value: it may be a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: &'static str,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.variable, self.problem)
    }
}

impl Config {
    /// Reads the settings through `get` (the worker's `Env` in production, a map in tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let required = |name: &'static str| {
            get(name)
                .filter(|v| !v.trim().is_empty())
                .ok_or(ConfigError {
                    variable: name,
                    problem: "is not set",
                })
        };
        let origin_url = parse_origin(&required(ORIGIN_URL)?).ok_or(ConfigError {
            variable: ORIGIN_URL,
            problem: "must be http(s)://host[:port] with no path",
        })?;
        let keyring = Keyring::parse(&required(LINK_KEYS)?).map_err(|_| ConfigError {
            variable: LINK_KEYS,
            problem: "must be kid:base64urlkey[,kid:base64urlkey...] with keys of at least 32 bytes",
        })?;
        let edge_secret =
            SecretKey::from_base64url(&required(EDGE_SECRET)?).map_err(|_| ConfigError {
                variable: EDGE_SECRET,
                problem: "must be base64url (no padding) of at least 32 bytes",
            })?;
        let mut form_action = format!("'self' {origin_url} {PAYMENT_PAGES}");
        for extra in get(FORM_ACTION_ORIGINS)
            .unwrap_or_default()
            .split_whitespace()
        {
            let extra = parse_origin(extra).ok_or(ConfigError {
                variable: FORM_ACTION_ORIGINS,
                problem: "must be space-separated http(s)://host[:port] origins",
            })?;
            form_action.push(' ');
            form_action.push_str(&extra);
        }
        Ok(Config {
            origin_url,
            keyring,
            edge_secret,
            form_action,
        })
    }
}

/// Accepts `http(s)://host[:port]` with an optional trailing `/`, and returns it lower-cased
/// without the slash. Hosts are ASCII (IDNs in punycode), names or IPv4 or `[IPv6]`. Strict on
/// purpose: the result goes into a CSP header and into the URL the worker calls.
pub fn parse_origin(s: &str) -> Option<String> {
    let s = s.trim();
    let s = s.strip_suffix('/').unwrap_or(s);
    let (scheme, rest) = s.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let (host, port) = if let Some(v6) = rest.strip_prefix('[') {
        let (addr, after) = v6.split_once(']')?;
        if addr.is_empty()
            || !addr
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return None;
        }
        (&rest[..addr.len() + 2], after.strip_prefix(':'))
    } else {
        let (host, port) = match rest.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (rest, None),
        };
        let ok = !host.is_empty()
            && host.len() <= 253
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            && !host.starts_with(['.', '-']);
        if !ok {
            return None;
        }
        (host, port)
    };
    if rest.len() > host.len() && port.is_none() {
        return None; // something other than ":port" follows the host
    }
    let mut out = format!("{scheme}://{}", host.to_ascii_lowercase());
    if let Some(port) = port {
        let n: u16 = port
            .parse()
            .ok()
            .filter(|_| port.bytes().all(|b| b.is_ascii_digit()))?;
        if n == 0 {
            return None;
        }
        out.push(':');
        out.push_str(port);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

    fn good() -> HashMap<&'static str, String> {
        HashMap::from([
            (ORIGIN_URL, "http://127.0.0.1:8080/".to_owned()),
            (LINK_KEYS, format!("k1:{KEY}")),
            (EDGE_SECRET, KEY.to_owned()),
        ])
    }

    fn load(vars: &HashMap<&'static str, String>) -> Result<Config, ConfigError> {
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn reads_a_complete_environment() {
        let mut vars = good();
        vars.insert(
            FORM_ACTION_ORIGINS,
            " https://pay.example.com  https://3ds.example.net/ ".to_owned(),
        );
        let cfg = load(&vars).expect("valid");
        assert_eq!(cfg.origin_url, "http://127.0.0.1:8080");
        assert_eq!(cfg.keyring.current_kid(false), Some("k1"));
        assert_eq!(
            cfg.form_action,
            format!(
                "'self' http://127.0.0.1:8080 {PAYMENT_PAGES} https://pay.example.com https://3ds.example.net"
            )
        );
    }

    #[test]
    fn names_the_wrong_variable_without_its_value() {
        for (name, value) in [
            (ORIGIN_URL, None),
            (ORIGIN_URL, Some("ftp://x")),
            (ORIGIN_URL, Some("http://x/api")),
            (LINK_KEYS, None),
            (LINK_KEYS, Some("k1:c2hvcnQ")),
            (EDGE_SECRET, Some("  ")),
            (EDGE_SECRET, Some("c2hvcnQ")),
            (
                FORM_ACTION_ORIGINS,
                Some("https://ok.example 'unsafe-inline'"),
            ),
            (FORM_ACTION_ORIGINS, Some("https://x.example;script-src")),
        ] {
            let mut vars = good();
            match value {
                Some(v) => vars.insert(name, v.to_owned()),
                None => vars.remove(name),
            };
            let err = load(&vars).expect_err(name);
            assert_eq!(err.variable, name);
            if let Some(v) = value.filter(|v| v.trim().len() > 3) {
                assert!(!err.to_string().contains(v), "{err} shows the value");
            }
        }
    }

    #[test]
    fn origins_are_strict() {
        assert_eq!(
            parse_origin("HTTPS://Pay.Example.com").as_deref(),
            Some("https://pay.example.com")
        );
        assert_eq!(
            parse_origin("http://[::1]:8080/").as_deref(),
            Some("http://[::1]:8080")
        );
        assert_eq!(
            parse_origin("http://localhost:1").as_deref(),
            Some("http://localhost:1")
        );
        for bad in [
            "",
            "localhost:8080",
            "http://",
            "http://x:",
            "http://x:0",
            "http://x:65536",
            "http://x:+80",
            "http://x/y",
            "http://x?y",
            "http://u@x",
            "http://x y",
            "javascript://x",
            "http://[::1]x",
            "http://.x",
        ] {
            assert_eq!(parse_origin(bad), None, "{bad}");
        }
    }
}
