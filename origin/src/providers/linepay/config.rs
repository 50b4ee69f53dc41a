//! LINE Pay's settings: the terms linkpay holds every LINE Pay payment to (`Terms`, from the
//! environment, for every account), and the environment's own channel (`LinePayConfig`),
//! the default account of test mode.

use super::limits;
use crate::base::env::ConfigError;
use linkpay_shared::Currency;
use std::collections::HashMap;

pub const SANDBOX_BASE_URL: &str = "https://sandbox-api-pay.line.me";
pub const LIVE_BASE_URL: &str = "https://api-pay.line.me";

/// `LINKPAY_LINEPAY_CAPTURE_WINDOW` and `LINKPAY_LINEPAY_MAX_AMOUNT_*`: how long an
/// authorization is held for capture, and the per-payment ceilings in minor units by currency
/// code. They apply to the environment's channel and to merchants' LINE Pay accounts alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    pub capture_window_secs: i64,
    pub max_minor: HashMap<&'static str, i64>,
}

impl Default for Terms {
    fn default() -> Terms {
        Terms::from_lookup(&|_| None).expect("the defaults are valid")
    }
}

impl Terms {
    pub fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> Result<Terms, ConfigError> {
        let set = |var: &str| get(var).filter(|v| !v.trim().is_empty());
        let window = set("LINKPAY_LINEPAY_CAPTURE_WINDOW").unwrap_or_else(|| "30d".into());
        let capture_window_secs = crate::base::env::parse_duration(&window)
            .map(|d| d.as_secs() as i64)
            .filter(|s| (1..=limits::DEFAULT_CAPTURE_WINDOW_SECS).contains(s))
            .ok_or_else(|| ConfigError {
                var: "LINKPAY_LINEPAY_CAPTURE_WINDOW",
                problem: format!("{window:?} must be 1s to 30d, like 30d"),
            })?;
        let mut max_minor = HashMap::new();
        for c in limits::CURRENCIES {
            let var: &'static str = match c {
                Currency::Usd => "LINKPAY_LINEPAY_MAX_AMOUNT_USD",
                _ => "LINKPAY_LINEPAY_MAX_AMOUNT_THB",
            };
            let max = match set(var) {
                Some(v) => v
                    .parse::<i64>()
                    .ok()
                    .filter(|m| *m > 0)
                    .ok_or_else(|| ConfigError {
                        var,
                        problem: format!("{v:?} must be a positive amount in minor units"),
                    })?,
                None => limits::default_max_minor(c).unwrap_or(i64::MAX),
            };
            max_minor.insert(c.code(), max);
        }
        Ok(Terms {
            capture_window_secs,
            max_minor,
        })
    }
}

/// One LINE Pay channel and where its API is: the environment's (`LINKPAY_LINEPAY_*`, offered
/// only when channel id and secret are set) or a merchant's provider account.
#[derive(Clone)]
pub struct LinePayConfig {
    pub base_url: String,
    pub channel_id: String,
    pub(super) channel_secret: String,
    pub terms: Terms,
}

impl std::fmt::Debug for LinePayConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinePayConfig")
            .field("base_url", &self.base_url)
            .field("channel_id", &self.channel_id)
            .field("terms", &self.terms)
            .finish_non_exhaustive()
    }
}

impl LinePayConfig {
    /// A channel whose API is at `base_url`.
    pub fn new(base_url: &str, channel_id: &str, channel_secret: &str, terms: Terms) -> Self {
        LinePayConfig {
            base_url: base_url.to_owned(),
            channel_id: channel_id.to_owned(),
            channel_secret: channel_secret.to_owned(),
            terms,
        }
    }

    /// The environment's channel, if one is set.
    pub fn from_lookup(
        get: &impl Fn(&str) -> Option<String>,
        terms: &Terms,
    ) -> Result<Option<LinePayConfig>, ConfigError> {
        let set = |var: &str| get(var).filter(|v| !v.trim().is_empty());
        let (id, secret) = match (
            set("LINKPAY_LINEPAY_CHANNEL_ID"),
            set("LINKPAY_LINEPAY_CHANNEL_SECRET"),
        ) {
            (None, None) => return Ok(None),
            (Some(id), Some(secret)) => (id, secret),
            (Some(_), None) => return Err(missing("LINKPAY_LINEPAY_CHANNEL_SECRET")),
            (None, Some(_)) => return Err(missing("LINKPAY_LINEPAY_CHANNEL_ID")),
        };
        let base_url = set("LINKPAY_LINEPAY_BASE_URL").unwrap_or_else(|| SANDBOX_BASE_URL.into());
        let base_url =
            crate::base::url::normalize_base_url(&base_url).ok_or_else(|| ConfigError {
                var: "LINKPAY_LINEPAY_BASE_URL",
                problem: format!(
                    "{base_url:?} must be an http(s) base URL such as {SANDBOX_BASE_URL}"
                ),
            })?;
        Ok(Some(LinePayConfig::new(
            &base_url,
            &id,
            &secret,
            terms.clone(),
        )))
    }
}

fn missing(var: &'static str) -> ConfigError {
    ConfigError {
        var,
        problem: "not set: LINE Pay needs both LINKPAY_LINEPAY_CHANNEL_ID and \
                  LINKPAY_LINEPAY_CHANNEL_SECRET (from the LINE Pay merchant center)"
            .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::lookup;

    fn channel(vars: &[(&str, &str)]) -> Result<Option<LinePayConfig>, ConfigError> {
        let get = lookup(vars);
        LinePayConfig::from_lookup(&get, &Terms::from_lookup(&get)?)
    }

    #[test]
    fn configuration_names_the_variable_and_hides_the_secret() {
        assert!(channel(&[]).expect("ok").is_none());
        let e = channel(&[("LINKPAY_LINEPAY_CHANNEL_ID", "1")]).expect_err("half set");
        assert_eq!(e.var, "LINKPAY_LINEPAY_CHANNEL_SECRET");
        let c = channel(&[
            ("LINKPAY_LINEPAY_CHANNEL_ID", "1"),
            ("LINKPAY_LINEPAY_CHANNEL_SECRET", "s3cr3t-value"),
            ("LINKPAY_LINEPAY_MAX_AMOUNT_USD", "5000"),
        ])
        .expect("ok")
        .expect("configured");
        assert_eq!(c.base_url, SANDBOX_BASE_URL);
        assert_eq!(c.terms.capture_window_secs, 30 * 86_400);
        assert_eq!(
            (c.terms.max_minor["USD"], c.terms.max_minor["THB"]),
            (5000, 5_000_000)
        );
        assert!(!format!("{c:?}").contains("s3cr3t-value"));
        for (var, value) in [
            ("LINKPAY_LINEPAY_CAPTURE_WINDOW", "31d"),
            ("LINKPAY_LINEPAY_MAX_AMOUNT_THB", "-1"),
            ("LINKPAY_LINEPAY_BASE_URL", "ftp://x"),
        ] {
            let e = channel(&[
                ("LINKPAY_LINEPAY_CHANNEL_ID", "1"),
                ("LINKPAY_LINEPAY_CHANNEL_SECRET", "s"),
                (var, value),
            ])
            .expect_err(var);
            assert_eq!(e.var, var);
        }
    }

    #[test]
    fn terms_hold_without_a_channel_for_merchants_accounts() {
        let t =
            Terms::from_lookup(&lookup(&[("LINKPAY_LINEPAY_CAPTURE_WINDOW", "7d")])).expect("ok");
        assert_eq!(t.capture_window_secs, 7 * 86_400);
        assert_eq!(Terms::default().capture_window_secs, 30 * 86_400);
    }
}
