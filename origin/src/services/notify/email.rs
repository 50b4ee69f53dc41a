//! Email over SMTP with lettre (tokio, rustls). Messages are multipart/alternative (text and
//! HTML), UTF-8, with encoded non-ASCII headers, `Message-ID`, `Date`, `From` and `To`.

use crate::base::env::ConfigError;
use lettre::message::{Mailbox, MultiPart, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// How the connection to the SMTP server is protected (`LINKPAY_SMTP_TLS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tls {
    /// Plain text: only for a relay on the same host or a test server.
    None,
    /// Upgrade with STARTTLS (port 587); refuses to send if the server cannot.
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

/// The SMTP password: `Debug` never prints it.
#[derive(Clone)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

#[derive(Debug, Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: Tls,
    pub credentials: Option<(String, Password)>,
    /// `LINKPAY_EMAIL_FROM`, e.g. `Shop <no-reply@shop.example>`.
    pub from: Mailbox,
}

impl SmtpConfig {
    /// `None` without `LINKPAY_SMTP_HOST`. A half-done setup is an error naming the variable.
    pub fn from_lookup(
        get: &impl Fn(&str) -> Option<String>,
    ) -> Result<Option<SmtpConfig>, ConfigError> {
        let set = |v: &str| get(v).filter(|s| !s.trim().is_empty());
        let err = |var: &'static str, problem: String| ConfigError { var, problem };
        let Some(host) = set("LINKPAY_SMTP_HOST") else {
            for var in [
                "LINKPAY_SMTP_PORT",
                "LINKPAY_SMTP_USERNAME",
                "LINKPAY_SMTP_PASSWORD",
                "LINKPAY_EMAIL_FROM",
            ] {
                if set(var).is_some() {
                    return Err(err(
                        "LINKPAY_SMTP_HOST",
                        format!(
                            "not set, but {var} is; set the SMTP server's host name to send email"
                        ),
                    ));
                }
            }
            return Ok(None);
        };
        let tls = match set("LINKPAY_SMTP_TLS").as_deref().map(str::trim) {
            None | Some("starttls") => Tls::Starttls,
            Some("tls") => Tls::Tls,
            Some("none") => Tls::None,
            Some(other) => {
                return Err(err(
                    "LINKPAY_SMTP_TLS",
                    format!("{other:?} must be none, starttls or tls"),
                ));
            }
        };
        let port = match set("LINKPAY_SMTP_PORT") {
            None => match tls {
                Tls::None => 25,
                Tls::Starttls => 587,
                Tls::Tls => 465,
            },
            Some(p) => p
                .trim()
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| err("LINKPAY_SMTP_PORT", format!("{p:?} is not a port number")))?,
        };
        let credentials = match (set("LINKPAY_SMTP_USERNAME"), get("LINKPAY_SMTP_PASSWORD")) {
            (Some(u), Some(p)) if !p.is_empty() => Some((u, Password(p))),
            (None, None) => None,
            (Some(_), _) => {
                return Err(err(
                    "LINKPAY_SMTP_PASSWORD",
                    "not set, but LINKPAY_SMTP_USERNAME is; set both or neither".into(),
                ));
            }
            (None, Some(_)) => {
                return Err(err(
                    "LINKPAY_SMTP_USERNAME",
                    "not set, but LINKPAY_SMTP_PASSWORD is; set both or neither".into(),
                ));
            }
        };
        let from = set("LINKPAY_EMAIL_FROM").ok_or_else(|| {
            err(
                "LINKPAY_EMAIL_FROM",
                "not set; it is the sender of every email, like Shop <no-reply@shop.example>"
                    .into(),
            )
        })?;
        let from = from.trim().parse::<Mailbox>().map_err(|e| {
            err(
                "LINKPAY_EMAIL_FROM",
                format!("{from:?} is not an address like Shop <no-reply@shop.example>: {e}"),
            )
        })?;
        Ok(Some(SmtpConfig {
            host: host.trim().to_owned(),
            port,
            tls,
            credentials,
            from,
        }))
    }
}

/// One email ready to send.
pub struct Email<'a> {
    /// Our notification id, which becomes the local part of the `Message-ID`.
    pub id: &'a str,
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: Option<&'a str>,
}

/// Why an email was not accepted; `permanent` is a 5xx or a message that cannot be built.
#[derive(Debug)]
pub struct SendError {
    pub permanent: bool,
    pub message: String,
}

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    pub fn new(c: &SmtpConfig) -> Result<Mailer, String> {
        let builder = match c.tls {
            Tls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&c.host),
            Tls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&c.host)
                .map_err(|e| format!("SMTP STARTTLS setup for {}: {e}", c.host))?,
            Tls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&c.host)
                .map_err(|e| format!("SMTP TLS setup for {}: {e}", c.host))?,
        };
        let mut builder = builder.port(c.port).timeout(Some(Duration::from_secs(30)));
        if let Some((user, Password(pass))) = &c.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), pass.clone()));
        }
        Ok(Mailer {
            transport: builder.build(),
            from: c.from.clone(),
        })
    }

    /// Sends one email; answers its `Message-ID`.
    pub async fn send(&self, e: &Email<'_>) -> Result<String, SendError> {
        let permanent = |message: String| SendError {
            permanent: true,
            message,
        };
        let to: Mailbox = e
            .to
            .parse()
            .map_err(|err| permanent(format!("recipient {:?} is not an address: {err}", e.to)))?;
        let domain = self.from.email.domain().to_owned();
        let message_id = format!("<{}@{domain}>", e.id);
        let builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(e.subject)
            .message_id(Some(message_id.clone()))
            .date_now();
        let message = match e.html {
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(
                e.text.to_owned(),
                html.to_owned(),
            )),
            None => builder
                .header(ContentType::TEXT_PLAIN)
                .body(e.text.to_owned()),
        }
        .map_err(|err| permanent(format!("building the message: {err}")))?;
        match self.transport.send(message).await {
            Ok(_) => Ok(message_id),
            Err(err) => Err(SendError {
                // 5xx: the server refused this message or these credentials for good. 4xx,
                // timeouts and connection failures may pass on a later attempt.
                permanent: err.is_permanent(),
                message: format!("SMTP: {err}"),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::lookup;

    #[test]
    fn unset_means_no_email_and_half_set_is_named() {
        assert!(SmtpConfig::from_lookup(&lookup(&[])).expect("ok").is_none());
        let e = SmtpConfig::from_lookup(&lookup(&[("LINKPAY_EMAIL_FROM", "a@b.example")]))
            .expect_err("error");
        assert_eq!(e.var, "LINKPAY_SMTP_HOST");
        let e = SmtpConfig::from_lookup(&lookup(&[("LINKPAY_SMTP_HOST", "smtp.example")]))
            .expect_err("error");
        assert_eq!(e.var, "LINKPAY_EMAIL_FROM");
        // With a host and a sender, the one bad or missing setting is named.
        let refused = |var: &str, value: &str| {
            let env = [
                ("LINKPAY_SMTP_HOST", "smtp.example"),
                ("LINKPAY_EMAIL_FROM", "a@b.example"),
                (var, value),
            ];
            SmtpConfig::from_lookup(&lookup(&env))
                .expect_err("error")
                .var
        };
        assert_eq!(refused("LINKPAY_SMTP_TLS", "ssl"), "LINKPAY_SMTP_TLS");
        assert_eq!(
            refused("LINKPAY_SMTP_USERNAME", "me"),
            "LINKPAY_SMTP_PASSWORD"
        );
    }

    #[test]
    fn defaults_and_the_password_stays_hidden() {
        let c = SmtpConfig::from_lookup(&lookup(&[
            ("LINKPAY_SMTP_HOST", "smtp.example"),
            ("LINKPAY_EMAIL_FROM", "Shop <no-reply@shop.example>"),
            ("LINKPAY_SMTP_USERNAME", "me"),
            ("LINKPAY_SMTP_PASSWORD", "hunter2-secret"),
        ]))
        .expect("ok")
        .expect("configured");
        assert_eq!((c.tls, c.port), (Tls::Starttls, 587));
        assert_eq!(c.from.email.to_string(), "no-reply@shop.example");
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
