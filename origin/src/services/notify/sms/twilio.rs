//! Twilio Programmable Messaging, built to its published REST API:
//! `POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json` with HTTP Basic auth
//! (Account SID : Auth Token) and a form body of `To`, `From` or `MessagingServiceSid`, and
//! `Body`. Twilio answers 201 with the Message resource (`sid`, `status`, `num_segments` as a
//! string), or an error object `{code, message, more_info, status}`.

use super::{Sent, SmsError, SmsGateway};
use crate::base::env::ConfigError;
use serde::Deserialize;
use std::time::Duration;

/// Every variable this gateway reads, so a stray one without `LINKPAY_SMS_PROVIDER` is noticed.
pub const VARS: [&str; 5] = [
    "LINKPAY_TWILIO_ACCOUNT_SID",
    "LINKPAY_TWILIO_AUTH_TOKEN",
    "LINKPAY_TWILIO_FROM",
    "LINKPAY_TWILIO_MESSAGING_SERVICE_SID",
    "LINKPAY_TWILIO_BASE_URL",
];

pub const DEFAULT_BASE_URL: &str = "https://api.twilio.com";

/// The Auth Token; `Debug` prints `***` so configuration dumps and logs never hold it.
#[derive(Clone)]
pub struct AuthToken(String);

impl AuthToken {
    pub fn new(token: impl Into<String>) -> AuthToken {
        AuthToken(token.into())
    }

    fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for AuthToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// Who the message comes from: a Twilio number or sender id, or a Messaging Service that picks
/// one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sender {
    From(String),
    MessagingService(String),
}

#[derive(Debug, Clone)]
pub struct TwilioConfig {
    pub account_sid: String,
    pub auth_token: AuthToken,
    pub sender: Sender,
    /// `https://api.twilio.com`; tests point it at a local fake.
    pub base_url: String,
    /// Bounds one request, connection included.
    pub timeout: Duration,
}

impl TwilioConfig {
    pub fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> Result<TwilioConfig, ConfigError> {
        let set = |var: &str| {
            get(var)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let missing = |var: &'static str, what: &str| ConfigError {
            var,
            problem: format!("not set, and LINKPAY_SMS_PROVIDER=twilio needs it: {what}"),
        };
        let account_sid = set("LINKPAY_TWILIO_ACCOUNT_SID").ok_or_else(|| {
            missing(
                "LINKPAY_TWILIO_ACCOUNT_SID",
                "the Account SID (AC…) from the Twilio console",
            )
        })?;
        if !account_sid.starts_with("AC") || !account_sid.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err(ConfigError {
                var: "LINKPAY_TWILIO_ACCOUNT_SID",
                problem: "must be an Account SID: AC followed by letters and digits".into(),
            });
        }
        let auth_token = set("LINKPAY_TWILIO_AUTH_TOKEN").ok_or_else(|| {
            missing(
                "LINKPAY_TWILIO_AUTH_TOKEN",
                "the Auth Token paired with the Account SID",
            )
        })?;
        let sender = match (
            set("LINKPAY_TWILIO_FROM"),
            set("LINKPAY_TWILIO_MESSAGING_SERVICE_SID"),
        ) {
            (Some(_), Some(_)) => {
                return Err(ConfigError {
                    var: "LINKPAY_TWILIO_MESSAGING_SERVICE_SID",
                    problem: "is set together with LINKPAY_TWILIO_FROM; set only one of them"
                        .into(),
                });
            }
            (Some(from), None) => Sender::From(from),
            (None, Some(sid)) if sid.starts_with("MG") => Sender::MessagingService(sid),
            (None, Some(_)) => {
                return Err(ConfigError {
                    var: "LINKPAY_TWILIO_MESSAGING_SERVICE_SID",
                    problem: "must be a Messaging Service SID: MG followed by letters and digits"
                        .into(),
                });
            }
            (None, None) => {
                return Err(missing(
                    "LINKPAY_TWILIO_FROM",
                    "the sending number in E.164 or a sender id (or set \
                     LINKPAY_TWILIO_MESSAGING_SERVICE_SID instead)",
                ));
            }
        };
        let base = set("LINKPAY_TWILIO_BASE_URL").unwrap_or_else(|| DEFAULT_BASE_URL.into());
        let base_url = crate::base::url::normalize_base_url(&base).ok_or_else(|| ConfigError {
            var: "LINKPAY_TWILIO_BASE_URL",
            problem: format!("{base:?} must be an http(s) base URL such as {DEFAULT_BASE_URL}"),
        })?;
        Ok(TwilioConfig {
            account_sid,
            auth_token: AuthToken::new(auth_token),
            sender,
            base_url,
            timeout: Duration::from_secs(10),
        })
    }
}

pub struct Twilio {
    config: TwilioConfig,
    http: reqwest::Client,
}

impl Twilio {
    pub fn new(config: TwilioConfig) -> Twilio {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Twilio { config, http }
    }

    fn messages_url(&self) -> String {
        format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            self.config.base_url, self.config.account_sid
        )
    }
}

#[async_trait::async_trait]
impl SmsGateway for Twilio {
    async fn send(&self, to: &str, body: &str) -> Result<Sent, SmsError> {
        let sender = match &self.config.sender {
            Sender::From(from) => ("From", from.as_str()),
            Sender::MessagingService(sid) => ("MessagingServiceSid", sid.as_str()),
        };
        let form = [("To", to), sender, ("Body", body)];
        let resp = self
            .http
            .post(self.messages_url())
            .basic_auth(
                &self.config.account_sid,
                Some(self.config.auth_token.expose()),
            )
            .form(&form)
            .send()
            .await
            .map_err(|e| {
                // Without the URL: reqwest's text for it is the base URL we already know.
                SmsError::transient(format!(
                    "could not reach Twilio at {}: {}",
                    self.config.base_url,
                    e.without_url()
                ))
            })?;
        let status = resp.status().as_u16();
        let text = resp.text().await.map_err(|e| {
            SmsError::transient(format!(
                "Twilio's answer (HTTP {status}) broke off: {}",
                e.without_url()
            ))
        })?;
        if (200..300).contains(&status) {
            return accepted(&text);
        }
        Err(refused(status, &text))
    }
}

/// The Message resource, the fields linkpay uses.
#[derive(Deserialize)]
struct Message {
    sid: String,
    #[serde(default)]
    num_segments: Option<String>,
}

/// Twilio's error object.
#[derive(Deserialize, Default)]
struct ApiError {
    #[serde(default)]
    code: Option<u32>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    more_info: Option<String>,
}

fn accepted(text: &str) -> Result<Sent, SmsError> {
    let message: Message = serde_json::from_str(text).map_err(|_| {
        // Twilio took the message, so sending again would likely send it twice.
        SmsError::permanent("Twilio accepted the message but its answer had no message sid; not resending to avoid a duplicate")
    })?;
    Ok(Sent {
        message_id: message.sid,
        // "0" until a Messaging Service has picked a sender: not known yet.
        segments: message
            .num_segments
            .and_then(|n| n.parse().ok())
            .filter(|n| *n > 0),
    })
}

fn refused(status: u16, text: &str) -> SmsError {
    let e: ApiError = serde_json::from_str(text).unwrap_or_default();
    let detail = match (e.code, e.message) {
        (Some(code), Some(msg)) => format!("Twilio error {code}: {msg}"),
        (Some(code), None) => format!("Twilio error {code}"),
        (None, Some(msg)) => format!("Twilio: {msg}"),
        (None, None) => "Twilio gave no error details".to_owned(),
    };
    let detail = match e.more_info {
        Some(url) => format!("{detail} (HTTP {status}, see {url})"),
        None => format!("{detail} (HTTP {status})"),
    };
    match status {
        401 | 403 => SmsError::permanent(format!(
            "{detail}. Twilio refused the credentials: check LINKPAY_TWILIO_ACCOUNT_SID and LINKPAY_TWILIO_AUTH_TOKEN"
        )),
        404 => SmsError::permanent(format!(
            "{detail}. Check LINKPAY_TWILIO_ACCOUNT_SID and LINKPAY_TWILIO_BASE_URL"
        )),
        429 | 500..=599 => SmsError::transient(detail),
        // 400 and other 4xx: this message as it is will not be accepted (invalid or
        // unsubscribed number, body too long…).
        400..=499 => SmsError::permanent(detail),
        _ => SmsError::transient(detail),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::lookup;

    const SID: &str = "AC0123456789abcdef0123456789abcdef";
    const TOKEN: &str = "f00dfeedf00dfeedf00dfeedf00dfeed";

    #[test]
    fn full_config_reads_and_hides_the_token() {
        let c = TwilioConfig::from_lookup(&lookup(&[
            ("LINKPAY_TWILIO_ACCOUNT_SID", SID),
            ("LINKPAY_TWILIO_AUTH_TOKEN", TOKEN),
            ("LINKPAY_TWILIO_FROM", "+15005550006"),
        ]))
        .expect("config");
        assert_eq!(c.base_url, DEFAULT_BASE_URL);
        assert_eq!(c.sender, Sender::From("+15005550006".into()));
        assert!(!format!("{c:?}").contains(TOKEN));
        let t = Twilio::new(c);
        assert_eq!(
            t.messages_url(),
            format!("https://api.twilio.com/2010-04-01/Accounts/{SID}/Messages.json")
        );
    }

    #[test]
    fn half_configured_names_the_missing_variable() {
        let var = |pairs: &[(&str, &str)]| {
            TwilioConfig::from_lookup(&lookup(pairs))
                .expect_err("error")
                .var
        };
        assert_eq!(var(&[]), "LINKPAY_TWILIO_ACCOUNT_SID");
        assert_eq!(
            var(&[("LINKPAY_TWILIO_ACCOUNT_SID", SID)]),
            "LINKPAY_TWILIO_AUTH_TOKEN"
        );
        assert_eq!(
            var(&[
                ("LINKPAY_TWILIO_ACCOUNT_SID", SID),
                ("LINKPAY_TWILIO_AUTH_TOKEN", TOKEN)
            ]),
            "LINKPAY_TWILIO_FROM"
        );
        // A complete sender plus one setting that cannot go with it.
        let complete_and = |extra| {
            [
                ("LINKPAY_TWILIO_ACCOUNT_SID", SID),
                ("LINKPAY_TWILIO_AUTH_TOKEN", TOKEN),
                ("LINKPAY_TWILIO_FROM", "+15005550006"),
                extra,
            ]
        };
        let both = complete_and(("LINKPAY_TWILIO_MESSAGING_SERVICE_SID", "MG0123"));
        assert_eq!(var(&both), "LINKPAY_TWILIO_MESSAGING_SERVICE_SID");
        assert_eq!(
            var(&[
                ("LINKPAY_TWILIO_ACCOUNT_SID", "0123"),
                ("LINKPAY_TWILIO_AUTH_TOKEN", TOKEN)
            ]),
            "LINKPAY_TWILIO_ACCOUNT_SID"
        );
        let bad_base = complete_and(("LINKPAY_TWILIO_BASE_URL", "api.twilio.com"));
        assert_eq!(var(&bad_base), "LINKPAY_TWILIO_BASE_URL");
    }

    #[test]
    fn errors_are_sorted_into_permanent_and_transient() {
        let body = |code: u32, status: u16| {
            format!(
                r#"{{"code": {code}, "message": "m{code}", "more_info": "https://www.twilio.com/docs/errors/{code}", "status": {status}}}"#
            )
        };
        let e = refused(400, &body(21211, 400));
        assert!(e.permanent);
        assert!(
            e.message.contains("21211") && e.message.contains("docs/errors/21211"),
            "{e}"
        );
        assert!(refused(400, &body(21610, 400)).permanent);
        let e = refused(401, &body(20003, 401));
        assert!(
            e.permanent && e.message.contains("LINKPAY_TWILIO_AUTH_TOKEN"),
            "{e}"
        );
        assert!(!refused(429, &body(20429, 429)).permanent);
        assert!(!refused(500, &body(20500, 500)).permanent);
        assert!(!refused(503, "<html>Service Unavailable</html>").permanent);
        assert!(refused(404, "").permanent);
    }

    #[test]
    fn accepted_reads_sid_and_segments() {
        let s =
            accepted(r#"{"sid": "SM1", "status": "queued", "num_segments": "2"}"#).expect("sent");
        assert_eq!(
            s,
            Sent {
                message_id: "SM1".into(),
                segments: Some(2)
            }
        );
        let s =
            accepted(r#"{"sid": "SM2", "status": "accepted", "num_segments": "0"}"#).expect("sent");
        assert_eq!(s.segments, None);
        assert!(accepted("not json").expect_err("error").permanent);
    }
}
