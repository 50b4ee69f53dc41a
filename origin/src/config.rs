//! One typed configuration, read from the environment and validated at start-up with messages
//! that name the variable. Defaults work on a laptop; secrets have no defaults.

use linkpay_shared::SecretKey;
use linkpay_shared::token::Keyring;
use std::net::SocketAddr;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Config {
    /// `LINKPAY_LISTEN`, default `127.0.0.1:8080`.
    pub listen: SocketAddr,
    /// `DATABASE_URL`, default `sqlite://.linkpay/linkpay.db`.
    pub database_url: String,
    /// `LINKPAY_PUBLIC_URL`: how browsers reach this origin (provider pages and returns).
    pub public_url: String,
    /// `LINKPAY_EDGE_URL`: how browsers reach the edge worker (link and result pages).
    pub edge_url: String,
    /// `LINKPAY_LINK_KEYS`: `kid:base64urlkey[,…]`, current first. Shared with the worker.
    pub link_keys: Keyring,
    /// `LINKPAY_EDGE_SECRET`: base64url, ≥ 32 bytes. Shared with the worker.
    pub edge_secret: SecretKey,
    /// `LINKPAY_WEBHOOK_RETRY_SCHEDULE`: delays after each failed attempt, e.g. `5s,5m,30m`.
    pub webhook_retry_schedule: Vec<Duration>,
    /// `LINKPAY_WEBHOOK_TIMEOUT`, default `10s`.
    pub webhook_timeout: Duration,
}

#[derive(Debug, thiserror::Error)]
#[error("{var}: {problem}")]
pub struct ConfigError {
    pub var: &'static str,
    pub problem: String,
}

pub const DEFAULT_RETRY_SCHEDULE: &str = "5s,5m,30m,2h,5h,10h,14h,20h,24h";

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|k| std::env::var(k).ok())
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let or = |var: &'static str, default: &str| get(var).unwrap_or_else(|| default.to_owned());
        let err = |var: &'static str, problem: String| ConfigError { var, problem };

        let listen = or("LINKPAY_LISTEN", "127.0.0.1:8080");
        let listen = listen
            .parse()
            .map_err(|_| err("LINKPAY_LISTEN", format!("{listen:?} is not host:port")))?;
        let database_url =
            get("DATABASE_URL").unwrap_or_else(|| "sqlite://.linkpay/linkpay.db".into());
        let public_url = base_url(
            "LINKPAY_PUBLIC_URL",
            &or("LINKPAY_PUBLIC_URL", "http://127.0.0.1:8080"),
        )?;
        let edge_url = base_url(
            "LINKPAY_EDGE_URL",
            &or("LINKPAY_EDGE_URL", "http://127.0.0.1:8787"),
        )?;
        let link_keys = get("LINKPAY_LINK_KEYS").ok_or_else(|| {
            err(
                "LINKPAY_LINK_KEYS",
                "not set. It holds the link signing keys shared with the edge worker, as \
                 kid:base64urlkey (32+ random bytes); scripts/dev generates one in .linkpay/"
                    .into(),
            )
        })?;
        let link_keys = Keyring::parse(&link_keys).map_err(|p| err("LINKPAY_LINK_KEYS", p))?;
        let edge_secret = get("LINKPAY_EDGE_SECRET").ok_or_else(|| {
            err(
                "LINKPAY_EDGE_SECRET",
                "not set. It authenticates the edge worker to this origin: base64url of 32+ \
                 random bytes, the same value as the worker's EDGE_SECRET"
                    .into(),
            )
        })?;
        let edge_secret = SecretKey::from_base64url(&edge_secret)
            .map_err(|p| err("LINKPAY_EDGE_SECRET", p.into()))?;
        let schedule = or("LINKPAY_WEBHOOK_RETRY_SCHEDULE", DEFAULT_RETRY_SCHEDULE);
        let webhook_retry_schedule = schedule
            .split(',')
            .map(|s| parse_duration(s.trim()))
            .collect::<Option<Vec<_>>>()
            .filter(|v| !v.is_empty())
            .ok_or_else(|| {
                err(
                    "LINKPAY_WEBHOOK_RETRY_SCHEDULE",
                    format!("{schedule:?} is not a comma-separated list like 5s,5m,2h"),
                )
            })?;
        let timeout = or("LINKPAY_WEBHOOK_TIMEOUT", "10s");
        let webhook_timeout = parse_duration(&timeout)
            .filter(|d| !d.is_zero() && *d <= Duration::from_secs(60))
            .ok_or_else(|| {
                err(
                    "LINKPAY_WEBHOOK_TIMEOUT",
                    format!("{timeout:?} must be 1ms to 60s, like 10s"),
                )
            })?;
        Ok(Config {
            listen,
            database_url,
            public_url,
            edge_url,
            link_keys,
            edge_secret,
            webhook_retry_schedule,
            webhook_timeout,
        })
    }
}

fn base_url(var: &'static str, value: &str) -> Result<String, ConfigError> {
    let v = value.trim_end_matches('/');
    let ok = (v.starts_with("http://") || v.starts_with("https://"))
        && !v.contains(['?', '#', ' '])
        && v.len() > "https://".len();
    if ok {
        Ok(v.to_owned())
    } else {
        Err(ConfigError {
            var,
            problem: format!(
                "{value:?} must be an http(s) base URL such as https://pay.example.com"
            ),
        })
    }
}

/// `250ms`, `5s`, `5m`, `2h`.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = s.split_at(split);
    let n: u64 = n.parse().ok()?;
    Some(match unit {
        "ms" => Duration::from_millis(n),
        "s" => Duration::from_secs(n),
        "m" => Duration::from_secs(n * 60),
        "h" => Duration::from_secs(n * 3600),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| pairs.iter().find(|(pk, _)| pk == k).map(|(_, v)| v.clone())
    }

    #[test]
    fn defaults_work_once_secrets_are_given() {
        let keys = format!("k1:{KEY}");
        let c = Config::from_lookup(lookup(&[
            ("LINKPAY_LINK_KEYS", &keys),
            ("LINKPAY_EDGE_SECRET", KEY),
        ]))
        .expect("config");
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.webhook_retry_schedule.len(), 9);
        assert_eq!(c.webhook_retry_schedule[1], Duration::from_secs(300));
        assert!(
            !format!("{c:?}").contains(KEY),
            "secrets must not be printable"
        );
    }

    #[test]
    fn errors_name_the_variable() {
        let keys = format!("k1:{KEY}");
        let missing = Config::from_lookup(lookup(&[])).expect_err("an error");
        assert_eq!(missing.var, "LINKPAY_LINK_KEYS");
        let e = Config::from_lookup(lookup(&[("LINKPAY_LINK_KEYS", &keys)])).expect_err("an error");
        assert_eq!(e.var, "LINKPAY_EDGE_SECRET");
        let e = Config::from_lookup(lookup(&[
            ("LINKPAY_LINK_KEYS", &keys),
            ("LINKPAY_EDGE_SECRET", KEY),
            ("LINKPAY_EDGE_URL", "ftp://x"),
        ]))
        .expect_err("an error");
        assert_eq!(e.var, "LINKPAY_EDGE_URL");
        let e = Config::from_lookup(lookup(&[
            ("LINKPAY_LINK_KEYS", &keys),
            ("LINKPAY_EDGE_SECRET", KEY),
            ("LINKPAY_WEBHOOK_RETRY_SCHEDULE", "5s,soon"),
        ]))
        .expect_err("an error");
        assert_eq!(e.var, "LINKPAY_WEBHOOK_RETRY_SCHEDULE");
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("2h"), Some(Duration::from_secs(7200)));
        assert_eq!(parse_duration("5"), None);
        assert_eq!(parse_duration("s"), None);
        assert_eq!(parse_duration("5d"), None);
    }
}
