//! One typed configuration, read from the environment and validated at start-up with messages
//! that name the variable. Defaults work on a laptop; secrets have no defaults.

use crate::base::env::{ConfigError, base_url, parse_duration};
use crate::base::secrets::MasterKeys;
use crate::domain::keyfile::KeyFile;
use linkpay_shared::SecretKey;
use linkpay_shared::token::Keyring;
use std::net::SocketAddr;
use std::path::Path;
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
    /// Or `LINKPAY_LINK_KEYS_FILE`: a key file (`linkpay keys`) holding the same ring.
    pub link_keys: Keyring,
    /// `LINKPAY_EDGE_SECRET`: base64url, ≥ 32 bytes. Shared with the worker.
    pub edge_secret: SecretKey,
    /// `LINKPAY_MASTER_KEYS`: `kid:base64urlkey[,…]`, 32 bytes each, the sealing key first.
    /// Or `LINKPAY_MASTER_KEYS_FILE`: a file only its owner can read, holding the same. They
    /// seal the secrets the database keeps (`base::secrets`).
    pub master_keys: MasterKeys,
    /// `LINKPAY_WEBHOOK_RETRY_SCHEDULE`: delays after each failed attempt, e.g. `5s,5m,30m`.
    pub webhook_retry_schedule: Vec<Duration>,
    /// `LINKPAY_WEBHOOK_TIMEOUT`, default `10s`.
    pub webhook_timeout: Duration,
    /// `LINKPAY_SMS_PROVIDER` and the gateway's settings; `None` when SMS is off.
    pub sms: Option<crate::services::notify::sms::SmsConfig>,
    /// SMTP (`LINKPAY_SMTP_*`, `LINKPAY_EMAIL_FROM`) and `LINKPAY_NOTIFY_RETRY_SCHEDULE`.
    pub notify: crate::services::notify::NotifyConfig,
    /// `LINKPAY_RETURN_URLS_ALLOW_HTTP`, default `false`: accept `http://` return URLs on any
    /// host, not only localhost (for a development setup without TLS).
    pub return_urls_allow_http: bool,
    /// `LINKPAY_WEBHOOK_ALLOW_PRIVATE_NETWORKS`, default `false`: allow webhook endpoints on
    /// loopback and private addresses (local development and tests). Off, such URLs are
    /// refused when registered and again when sent to, so DNS cannot point a hook inside.
    pub webhook_allow_private_networks: bool,
    /// `LINKPAY_SANDBOX_CAPTURE_WINDOW`, default `30d`: how long the sandbox provider holds
    /// an authorization for capture (shorten it to try the release of stale authorizations).
    pub sandbox_capture_window: Duration,
    /// `LINKPAY_LINEPAY_CHANNEL_ID` and `_SECRET` (and optional `_BASE_URL`): the default
    /// LINE Pay account of test mode; `None` without credentials.
    pub linepay: Option<crate::providers::linepay::LinePayConfig>,
    /// `LINKPAY_LINEPAY_CAPTURE_WINDOW`, `_MAX_AMOUNT_USD`, `_MAX_AMOUNT_THB`: for every LINE
    /// Pay payment, whichever account takes it.
    pub linepay_terms: crate::providers::linepay::Terms,
    /// `LINKPAY_LINEPAY_TEST_API_URL` and `_LIVE_API_URL`: LINE Pay's API for merchants'
    /// sandbox and live channels.
    pub linepay_test_api_url: String,
    pub linepay_live_api_url: String,
    /// `LINKPAY_STRIPE_API_URL`: Stripe's API, for every Stripe provider account (tests point
    /// it at a local fake).
    pub stripe_api_url: String,
    /// `LINKPAY_GMOPG_TEST_API_URL` and `LINKPAY_GMOPG_LIVE_API_URL`: GMO-PG's API for
    /// test-mode shops (its test site, pt01) and live ones (p01).
    pub gmopg_test_api_url: String,
    pub gmopg_live_api_url: String,
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
        let link_keys = link_keys(&get)?;
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
        let master_keys = master_keys(&get)?;
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
        let sms = crate::services::notify::sms::SmsConfig::from_lookup(&get)?;
        let notify = crate::services::notify::NotifyConfig::from_lookup(&get)?;
        let switch = |var: &'static str| match or(var, "false").as_str() {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            other => Err(err(var, format!("{other:?} must be true or false"))),
        };
        let return_urls_allow_http = switch("LINKPAY_RETURN_URLS_ALLOW_HTTP")?;
        let webhook_allow_private_networks = switch("LINKPAY_WEBHOOK_ALLOW_PRIVATE_NETWORKS")?;
        let window = or("LINKPAY_SANDBOX_CAPTURE_WINDOW", "30d");
        let sandbox_capture_window = parse_duration(&window)
            .filter(|d| d.as_secs() >= 1 && d.as_secs() <= 365 * 86_400)
            .ok_or_else(|| {
                err(
                    "LINKPAY_SANDBOX_CAPTURE_WINDOW",
                    format!("{window:?} must be 1s to 365d, like 30d"),
                )
            })?;
        let linepay_terms = crate::providers::linepay::Terms::from_lookup(&get)?;
        let linepay = crate::providers::linepay::LinePayConfig::from_lookup(&get, &linepay_terms)?;
        let linepay_test_api_url = api_url(
            &get,
            "LINKPAY_LINEPAY_TEST_API_URL",
            crate::providers::linepay::config::SANDBOX_BASE_URL,
        )?;
        let linepay_live_api_url = api_url(
            &get,
            "LINKPAY_LINEPAY_LIVE_API_URL",
            crate::providers::linepay::config::LIVE_BASE_URL,
        )?;
        let stripe_api_url = api_url(
            &get,
            "LINKPAY_STRIPE_API_URL",
            crate::providers::stripe::client::DEFAULT_API_URL,
        )?;
        let gmopg_test_api_url = api_url(
            &get,
            "LINKPAY_GMOPG_TEST_API_URL",
            crate::providers::gmopg::client::TEST_API_URL,
        )?;
        let gmopg_live_api_url = api_url(
            &get,
            "LINKPAY_GMOPG_LIVE_API_URL",
            crate::providers::gmopg::client::LIVE_API_URL,
        )?;
        Ok(Config {
            listen,
            database_url,
            public_url,
            edge_url,
            link_keys,
            edge_secret,
            master_keys,
            webhook_retry_schedule,
            webhook_timeout,
            sms,
            notify,
            return_urls_allow_http,
            webhook_allow_private_networks,
            sandbox_capture_window,
            linepay,
            stripe_api_url,
            gmopg_test_api_url,
            gmopg_live_api_url,
            linepay_terms,
            linepay_test_api_url,
            linepay_live_api_url,
        })
    }
}

/// A provider's API address from `var`, or its published one.
fn api_url(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: &str,
) -> Result<String, ConfigError> {
    let url = get(var)
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| default.into());
    crate::base::url::normalize_base_url(&url).ok_or_else(|| ConfigError {
        var,
        problem: format!("{url:?} must be an http(s) base URL such as {default}"),
    })
}

/// The link-signing keys, from `LINKPAY_LINK_KEYS` (the ring itself) or
/// `LINKPAY_LINK_KEYS_FILE` (a key file that `linkpay keys` manages), never both.
fn link_keys(get: &impl Fn(&str) -> Option<String>) -> Result<Keyring, ConfigError> {
    let set = |var: &str| get(var).filter(|v| !v.trim().is_empty());
    match (set("LINKPAY_LINK_KEYS"), set("LINKPAY_LINK_KEYS_FILE")) {
        (Some(_), Some(_)) => Err(ConfigError {
            var: "LINKPAY_LINK_KEYS_FILE",
            problem: "is set together with LINKPAY_LINK_KEYS; set only one of them".into(),
        }),
        (Some(ring), None) => Keyring::parse(&ring).map_err(|problem| ConfigError {
            var: "LINKPAY_LINK_KEYS",
            problem,
        }),
        (None, Some(path)) => KeyFile::load(Path::new(&path))
            .and_then(|file| file.keyring())
            .map_err(|e| ConfigError {
                var: "LINKPAY_LINK_KEYS_FILE",
                problem: format!("{path}: {e}"),
            }),
        (None, None) => Err(ConfigError {
            var: "LINKPAY_LINK_KEYS",
            problem: "not set. It holds the link signing keys shared with the edge worker, as \
                      kid:base64urlkey (32+ random bytes); scripts/dev generates one in \
                      .linkpay/. Or set LINKPAY_LINK_KEYS_FILE to a key file made by \
                      `linkpay keys new`"
                .into(),
        }),
    }
}

/// The master keys, from `LINKPAY_MASTER_KEYS` or `LINKPAY_MASTER_KEYS_FILE`, never both;
/// `linkpay secrets rotate` reads only these (and the database).
pub fn master_keys(get: &impl Fn(&str) -> Option<String>) -> Result<MasterKeys, ConfigError> {
    let set = |var: &str| get(var).filter(|v| !v.trim().is_empty());
    let (var, spec) = match (set("LINKPAY_MASTER_KEYS"), set("LINKPAY_MASTER_KEYS_FILE")) {
        (Some(_), Some(_)) => {
            return Err(ConfigError {
                var: "LINKPAY_MASTER_KEYS_FILE",
                problem: "is set together with LINKPAY_MASTER_KEYS; set only one of them".into(),
            });
        }
        (Some(spec), None) => ("LINKPAY_MASTER_KEYS", spec),
        (None, Some(path)) => (
            "LINKPAY_MASTER_KEYS_FILE",
            read_private(Path::new(&path)).map_err(|problem| ConfigError {
                var: "LINKPAY_MASTER_KEYS_FILE",
                problem: format!("{path}: {problem}"),
            })?,
        ),
        (None, None) => {
            return Err(ConfigError {
                var: "LINKPAY_MASTER_KEYS",
                problem: "not set. It seals the secrets the database keeps (webhook and return \
                          URL secrets, credentials), as kid:base64urlkey of 32 random bytes: \
                          `linkpay secrets new-key` prints one, and scripts/dev makes one in \
                          .linkpay/. Keep it out of the database's backups"
                    .into(),
            });
        }
    };
    MasterKeys::parse(&spec).map_err(|problem| ConfigError { var, problem })
}

/// A secret file's text, refused if other users may read or write it.
fn read_private(path: &Path) -> Result<String, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(|e| e.to_string())?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(format!(
                "other users can read or write it (mode {:04o}); run chmod 600 on it",
                mode & 0o7777
            ));
        }
    }
    Ok(text.trim().to_owned())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
    pub(crate) const MASTER_KEYS: &str = "m1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

    /// An environment of `pairs`, for configuration tests here and in other modules.
    pub(crate) fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
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
            ("LINKPAY_MASTER_KEYS", MASTER_KEYS),
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
        ]))
        .expect_err("an error");
        assert_eq!(e.var, "LINKPAY_MASTER_KEYS");
        // With every secret, the one bad setting is named.
        let refused = |var: &str, value: &str| {
            let env = [
                ("LINKPAY_LINK_KEYS", keys.as_str()),
                ("LINKPAY_EDGE_SECRET", KEY),
                ("LINKPAY_MASTER_KEYS", MASTER_KEYS),
                (var, value),
            ];
            Config::from_lookup(lookup(&env)).expect_err("an error").var
        };
        assert_eq!(refused("LINKPAY_EDGE_URL", "ftp://x"), "LINKPAY_EDGE_URL");
        let schedule = "LINKPAY_WEBHOOK_RETRY_SCHEDULE";
        assert_eq!(refused(schedule, "5s,soon"), schedule);
    }

    #[test]
    fn http_return_urls_are_a_switch_named_when_wrong() {
        let keys = format!("k1:{KEY}");
        let with = |v: &str| {
            Config::from_lookup(lookup(&[
                ("LINKPAY_LINK_KEYS", &keys),
                ("LINKPAY_EDGE_SECRET", KEY),
                ("LINKPAY_MASTER_KEYS", MASTER_KEYS),
                ("LINKPAY_RETURN_URLS_ALLOW_HTTP", v),
            ]))
        };
        assert!(with("true").expect("config").return_urls_allow_http);
        assert!(!with("false").expect("config").return_urls_allow_http);
        let e = with("yes please").expect_err("an error");
        assert_eq!(e.var, "LINKPAY_RETURN_URLS_ALLOW_HTTP");
    }

    #[test]
    fn master_keys_can_come_from_a_file_only_its_owner_reads() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("master-keys");
        std::fs::write(&path, format!("{MASTER_KEYS}\n")).expect("write");
        let keys = format!("k1:{KEY}");
        let with_file = || {
            Config::from_lookup(lookup(&[
                ("LINKPAY_LINK_KEYS", &keys),
                ("LINKPAY_EDGE_SECRET", KEY),
                (
                    "LINKPAY_MASTER_KEYS_FILE",
                    path.to_str().expect("utf-8 path"),
                ),
            ]))
        };
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let e = with_file().expect_err("a file others can read");
        assert_eq!(e.var, "LINKPAY_MASTER_KEYS_FILE");
        assert!(e.problem.contains("mode 0644"), "{}", e.problem);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        assert_eq!(with_file().expect("config").master_keys.current_kid(), "m1");
    }

    #[test]
    fn link_keys_can_come_from_a_key_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("keys");
        let mut file = KeyFile::generate(None, 1_770_000_000).expect("keys");
        file.rotate(None, 1_770_000_100, false).expect("rotate");
        file.create(&path).expect("write");
        let path_str = path.to_str().expect("utf-8 path");
        let c = Config::from_lookup(lookup(&[
            ("LINKPAY_LINK_KEYS_FILE", path_str),
            ("LINKPAY_EDGE_SECRET", KEY),
            ("LINKPAY_MASTER_KEYS", MASTER_KEYS),
        ]))
        .expect("config");
        assert_eq!(c.link_keys.current_kid(false), Some("k3"));
        assert_eq!(c.link_keys.current_kid(true), Some("k2"));
        // The same ring as `linkpay keys export` gives the worker: each verifies the other.
        let exported = Keyring::parse(&file.export().expect("ring")).expect("ring");
        let claims = linkpay_shared::token::LinkClaims {
            link_id: "lnk_1".into(),
            merchant_id: "mch_1".into(),
            merchant_name: String::new(),
            amount: linkpay_shared::token::Amount::Fixed(
                linkpay_shared::Money::new(1500, linkpay_shared::Currency::Jpy).expect("money"),
            ),
            expires_at: 2_000_000_000,
            usage: linkpay_shared::token::Usage::SingleUse,
            title: "Tea".into(),
            description: None,
            reference: None,
            locale: linkpay_shared::Locale::En,
            free: [None, None, None],
            metadata: Vec::new(),
            livemode: true,
        };
        let token = c.link_keys.sign(&claims).expect("signs");
        assert_eq!(exported.verify(token.as_bytes(), 1_900_000_000), Ok(claims));
        assert!(!format!("{c:?}").contains(&file.export().expect("ring")[3..20]));
    }

    #[test]
    fn key_file_errors_name_the_variable() {
        let dir = tempfile::tempdir().expect("tempdir");
        let keys = format!("k1:{KEY}");
        let path = dir.path().join("keys");
        let path_str = path.to_str().expect("utf-8 path").to_owned();
        let config = |pairs: &[(&str, &str)]| {
            let mut all = vec![("LINKPAY_EDGE_SECRET", KEY)];
            all.extend_from_slice(pairs);
            Config::from_lookup(lookup(&all)).expect_err("an error")
        };

        let e = config(&[
            ("LINKPAY_LINK_KEYS", &keys),
            ("LINKPAY_LINK_KEYS_FILE", &path_str),
        ]);
        assert_eq!(e.var, "LINKPAY_LINK_KEYS_FILE");
        assert!(e.problem.contains("LINKPAY_LINK_KEYS;"), "{e}");

        let e = config(&[("LINKPAY_LINK_KEYS_FILE", &path_str)]);
        assert_eq!(e.var, "LINKPAY_LINK_KEYS_FILE");
        assert!(e.problem.contains("no such file"), "{e}");

        std::fs::write(&path, "not a key file\n").expect("write");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        }
        let e = config(&[("LINKPAY_LINK_KEYS_FILE", &path_str)]);
        assert_eq!(e.var, "LINKPAY_LINK_KEYS_FILE");
        assert!(e.problem.contains("line 1"), "{e}");

        std::fs::write(&path, "linkpay-keys v1\n").expect("write");
        let e = config(&[("LINKPAY_LINK_KEYS_FILE", &path_str)]);
        assert_eq!(e.var, "LINKPAY_LINK_KEYS_FILE");
        assert!(e.problem.contains("no key"), "{e}");

        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            KeyFile::generate(None, 1_770_000_000)
                .expect("keys")
                .save(&path)
                .expect("write");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
            let e = config(&[("LINKPAY_LINK_KEYS_FILE", &path_str)]);
            assert_eq!(e.var, "LINKPAY_LINK_KEYS_FILE");
            assert!(e.problem.contains("chmod 600"), "{e}");
        }

        let e = config(&[]);
        assert_eq!(e.var, "LINKPAY_LINK_KEYS");
        assert!(e.problem.contains("LINKPAY_LINK_KEYS_FILE"), "{e}");
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("2h"), Some(Duration::from_secs(7200)));
        assert_eq!(parse_duration("5"), None);
        assert_eq!(parse_duration("s"), None);
        assert_eq!(
            parse_duration("30d"),
            Some(Duration::from_secs(30 * 86_400))
        );
        assert_eq!(parse_duration("5w"), None);
    }
}
