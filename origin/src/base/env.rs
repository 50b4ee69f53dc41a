//! Reading settings from the environment: errors that name the variable, and the value
//! shapes several settings share (base URLs, durations).

use crate::base::url::normalize_base_url;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
#[error("{var}: {problem}")]
pub struct ConfigError {
    pub var: &'static str,
    pub problem: String,
}

/// The setting `var` as a base URL ([`normalize_base_url`]).
pub fn base_url(var: &'static str, value: &str) -> Result<String, ConfigError> {
    normalize_base_url(value).ok_or_else(|| ConfigError {
        var,
        problem: format!("{value:?} must be an http(s) base URL such as https://pay.example.com"),
    })
}

/// `250ms`, `5s`, `5m`, `2h`, `30d`.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = s.split_at(split);
    let n: u64 = n.parse().ok()?;
    Some(match unit {
        "ms" => Duration::from_millis(n),
        "s" => Duration::from_secs(n),
        "m" => Duration::from_secs(n * 60),
        "h" => Duration::from_secs(n * 3600),
        "d" => Duration::from_secs(n * 86_400),
        _ => return None,
    })
}
