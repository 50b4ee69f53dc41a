//! SMS gateways behind one trait (segment counting and E.164 numbers are in
//! `domain::notifications`). Each gateway keeps its
//! wire format in its own module; the rest of linkpay sees only `SmsGateway`.

pub mod twilio;

use crate::base::env::ConfigError;

/// A message the gateway accepted for delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// The gateway's id for the message (Twilio: `SM…`).
    pub message_id: String,
    /// Segments the gateway says it will bill, when it knows yet.
    pub segments: Option<u32>,
}

/// Why a message was not accepted. `permanent` means sending the same message again cannot
/// help (invalid or unsubscribed number, refused credentials); otherwise retry later.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SmsError {
    pub permanent: bool,
    /// For the operator and the notification's `last_error`; never holds credentials.
    pub message: String,
}

impl SmsError {
    pub fn permanent(message: impl Into<String>) -> SmsError {
        SmsError {
            permanent: true,
            message: message.into(),
        }
    }

    pub fn transient(message: impl Into<String>) -> SmsError {
        SmsError {
            permanent: false,
            message: message.into(),
        }
    }
}

#[async_trait::async_trait]
pub trait SmsGateway: Send + Sync {
    /// Hands one message to the gateway. `to` is E.164 (see `phone::parse_e164`); the
    /// gateway concatenates long bodies itself.
    async fn send(&self, to: &str, body: &str) -> Result<Sent, SmsError>;
}

/// Which gateway sends SMS (`LINKPAY_SMS_PROVIDER`) and its settings.
#[derive(Debug, Clone)]
pub enum SmsConfig {
    Twilio(twilio::TwilioConfig),
}

impl SmsConfig {
    /// `None` when SMS is not configured. Settings for a gateway without
    /// `LINKPAY_SMS_PROVIDER`, or a provider with settings missing, are errors naming the
    /// variable, so a half-done setup stops the server instead of silently sending nothing.
    pub fn from_lookup(
        get: &impl Fn(&str) -> Option<String>,
    ) -> Result<Option<SmsConfig>, ConfigError> {
        let provider = get("LINKPAY_SMS_PROVIDER").filter(|v| !v.trim().is_empty());
        match provider.as_deref().map(str::trim) {
            None => match twilio::VARS
                .iter()
                .find(|v| get(v).is_some_and(|s| !s.is_empty()))
            {
                Some(var) => Err(ConfigError {
                    var: "LINKPAY_SMS_PROVIDER",
                    problem: format!(
                        "not set, but {var} is; set LINKPAY_SMS_PROVIDER=twilio to send SMS through Twilio"
                    ),
                }),
                None => Ok(None),
            },
            Some("twilio") => {
                twilio::TwilioConfig::from_lookup(get).map(|c| Some(SmsConfig::Twilio(c)))
            }
            Some(other) => Err(ConfigError {
                var: "LINKPAY_SMS_PROVIDER",
                problem: format!(
                    "{other:?} is not a known SMS provider; the one supported is twilio"
                ),
            }),
        }
    }
}

/// The gateway `config` sets up. Boxed because the choice is made at run time; wrap it in an
/// `Arc` (`Arc::from(boxed)`) to share it between tasks.
pub fn gateway(config: &SmsConfig) -> Box<dyn SmsGateway> {
    match config {
        SmsConfig::Twilio(c) => Box::new(twilio::Twilio::new(c.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::lookup;

    #[test]
    fn unset_means_no_sms() {
        assert!(SmsConfig::from_lookup(&lookup(&[])).expect("ok").is_none());
        assert!(
            SmsConfig::from_lookup(&lookup(&[("LINKPAY_SMS_PROVIDER", "")]))
                .expect("ok")
                .is_none()
        );
    }

    #[test]
    fn gateway_settings_without_a_provider_are_an_error() {
        let e = SmsConfig::from_lookup(&lookup(&[("LINKPAY_TWILIO_AUTH_TOKEN", "s3cr3t-token")]))
            .expect_err("error");
        assert_eq!(e.var, "LINKPAY_SMS_PROVIDER");
        assert!(e.problem.contains("LINKPAY_TWILIO_AUTH_TOKEN"), "{e}");
        assert!(!e.problem.contains("s3cr3t"), "no values in messages");
    }

    #[test]
    fn unknown_provider_is_named() {
        let e = SmsConfig::from_lookup(&lookup(&[("LINKPAY_SMS_PROVIDER", "nexmo")]))
            .expect_err("error");
        assert_eq!(e.var, "LINKPAY_SMS_PROVIDER");
        assert!(e.problem.contains("twilio"));
    }
}
