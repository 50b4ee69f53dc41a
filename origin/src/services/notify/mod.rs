//! Sending the queued notifications: email over SMTP, SMS through a gateway, with a lease
//! and retries (`sender`). What is sent, and when it is queued, is `domain::notifications`.

pub mod email;
pub mod sender;
pub mod sms;

use std::time::Duration;

/// Notification settings that come from the environment.
#[derive(Debug, Clone)]
pub struct NotifyConfig {
    /// `LINKPAY_SMTP_*` and `LINKPAY_EMAIL_FROM`; `None` when email is not set up.
    pub smtp: Option<email::SmtpConfig>,
    /// `LINKPAY_NOTIFY_RETRY_SCHEDULE`: delays after each transient failure.
    pub retry_schedule: Vec<Duration>,
}

pub const DEFAULT_RETRY_SCHEDULE: &str = "1m,5m,30m,2h,6h,12h";

impl NotifyConfig {
    pub fn from_lookup(
        get: &impl Fn(&str) -> Option<String>,
    ) -> Result<NotifyConfig, crate::base::env::ConfigError> {
        let schedule =
            get("LINKPAY_NOTIFY_RETRY_SCHEDULE").unwrap_or_else(|| DEFAULT_RETRY_SCHEDULE.into());
        let retry_schedule = schedule
            .split(',')
            .map(|s| crate::base::env::parse_duration(s.trim()))
            .collect::<Option<Vec<_>>>()
            .filter(|v| !v.is_empty())
            .ok_or_else(|| crate::base::env::ConfigError {
                var: "LINKPAY_NOTIFY_RETRY_SCHEDULE",
                problem: format!("{schedule:?} is not a comma-separated list like 1m,5m,2h"),
            })?;
        Ok(NotifyConfig {
            smtp: email::SmtpConfig::from_lookup(get)?,
            retry_schedule,
        })
    }
}
