//! The notification worker: leases due notifications, sends each by email or SMS, and records
//! the outcome. Transient failures (SMTP 4xx, connection errors, SMS 429/5xx) are retried on
//! `LINKPAY_NOTIFY_RETRY_SCHEDULE`; permanent ones (5xx, an invalid number) and a channel that
//! is not configured end as `failed` with the reason in `last_error`. At least once: a
//! notification is marked sent only after the server accepted it, and an expired lease (a
//! crashed worker) makes it due again.

use super::email::{Email, Mailer};
use super::sms::{self, SmsGateway};
use crate::base::clock::Clock;
use crate::base::db::Db;
use crate::base::jobs::{self, Queue, Retry, Round};
use std::time::Duration;

const BATCH: i64 = 16;
/// Longer than one SMTP conversation or gateway call can take (their timeouts are 30 s).
const LEASE_SECS: i64 = 120;

const NO_SMTP: &str = "Email is not configured on this server: set LINKPAY_SMTP_HOST and \
    LINKPAY_EMAIL_FROM (and LINKPAY_SMTP_PORT, LINKPAY_SMTP_TLS, LINKPAY_SMTP_USERNAME, \
    LINKPAY_SMTP_PASSWORD as your server needs), then resend.";
const NO_SMS: &str = "SMS is not configured on this server: set LINKPAY_SMS_PROVIDER=twilio and \
    the LINKPAY_TWILIO_* settings (see docs/sms.md), then resend.";

/// The ways out, built once from the configuration.
pub struct Channels {
    mailer: Result<Mailer, String>,
    sms: Option<Box<dyn SmsGateway>>,
}

impl Channels {
    pub fn new(notify: &super::NotifyConfig, sms: Option<&sms::SmsConfig>) -> Channels {
        let mailer = match &notify.smtp {
            Some(c) => Mailer::new(c).inspect_err(|e| {
                tracing::error!(error = %e, "cannot set up SMTP; emails will fail");
            }),
            None => Err(NO_SMTP.to_owned()),
        };
        Channels {
            mailer,
            sms: sms.map(sms::gateway),
        }
    }
}

#[derive(sqlx::FromRow)]
struct Due {
    id: String,
    channel: String,
    recipient: String,
    subject: Option<String>,
    text_body: String,
    html_body: Option<String>,
    attempts: i64,
}

enum Outcome {
    Sent(String),
    Failed { permanent: bool, error: String },
}

/// What the notification sender needs: the database, how to retry, and the ways out.
pub struct Sender {
    pub db: Db,
    pub clock: Clock,
    /// `LINKPAY_NOTIFY_RETRY_SCHEDULE`: delays after each transient failure.
    pub retry_schedule: Vec<Duration>,
    pub channels: Channels,
}

/// Runs until the process exits.
pub async fn run(state: Sender) {
    jobs::run(
        "sending notifications",
        None,
        Duration::from_secs(1),
        || async {
            Ok::<_, sqlx::Error>(match send_due(&state).await? {
                0 => Round::Idle,
                _ => Round::Worked,
            })
        },
    )
    .await;
}

/// Sends one batch of due notifications; answers how many it tried.
pub async fn send_due(state: &Sender) -> Result<usize, sqlx::Error> {
    let due = claim(state).await?;
    let n = due.len();
    // The claimed ones go out together (a batch of 300 payment requests should not wait on
    // 300 round trips in a row); the SMTP pool bounds the connections.
    futures_util::future::join_all(due.iter().map(|d| async move {
        let outcome = send(&state.channels, d).await;
        if let Err(e) = record(state, d, outcome).await {
            // The lease expires and the notification is tried again: at least once.
            tracing::error!(error = %e, notification = %d.id, "recording a notification attempt");
        }
    }))
    .await;
    Ok(n)
}

/// A notification is a job until it is sent or has failed.
const QUEUE: Queue = Queue {
    table: "notifications",
    open: Some("status = 'pending'"),
    order: "next_attempt_at",
    batch: BATCH,
};

async fn claim(state: &Sender) -> Result<Vec<Due>, sqlx::Error> {
    let now = state.clock.now();
    let ids: Vec<String> = QUEUE.claim(&state.db, now, now + LEASE_SECS).await?;
    let mut due = Vec::with_capacity(ids.len());
    for id in ids {
        due.push(
            sqlx::query_as(
                "SELECT id, channel, recipient, subject, text_body, html_body, attempts
                   FROM notifications WHERE id = $1",
            )
            .bind(&id)
            .fetch_one(state.db.reader())
            .await?,
        );
    }
    Ok(due)
}

async fn send(channels: &Channels, d: &Due) -> Outcome {
    let failed = |permanent, error: String| Outcome::Failed { permanent, error };
    match d.channel.as_str() {
        "email" => match &channels.mailer {
            Err(e) => failed(true, e.clone()),
            Ok(mailer) => {
                let email = Email {
                    id: &d.id,
                    to: &d.recipient,
                    subject: d.subject.as_deref().unwrap_or_default(),
                    text: &d.text_body,
                    html: d.html_body.as_deref(),
                };
                match mailer.send(&email).await {
                    Ok(message_id) => Outcome::Sent(message_id),
                    Err(e) => failed(e.permanent, e.message),
                }
            }
        },
        "sms" => match &channels.sms {
            None => failed(true, NO_SMS.to_owned()),
            Some(gateway) => match gateway.send(&d.recipient, &d.text_body).await {
                Ok(sent) => Outcome::Sent(sent.message_id),
                Err(e) => failed(e.permanent, format!("SMS gateway: {}", e.message)),
            },
        },
        other => failed(true, format!("unknown channel {other:?}")),
    }
}

async fn record(state: &Sender, d: &Due, outcome: Outcome) -> Result<(), sqlx::Error> {
    let now = state.clock.now();
    let attempts = d.attempts + 1;
    match outcome {
        Outcome::Sent(message_id) => {
            sqlx::query(
                "UPDATE notifications SET status = 'sent', attempts = $1, provider_message_id = $2,
                        last_error = NULL, locked_until = NULL, sent_at = $3 WHERE id = $4",
            )
            .bind(attempts)
            .bind(&message_id)
            .bind(now)
            .bind(&d.id)
            .execute(state.db.writer())
            .await?;
            tracing::info!(notification = %d.id, channel = %d.channel, "notification sent");
        }
        Outcome::Failed { permanent, error } => {
            let retry = (!permanent)
                .then(|| Retry::Schedule(&state.retry_schedule).delay(attempts))
                .flatten();
            let (status, next) = match retry {
                Some(delay) => ("pending", now + delay.as_secs() as i64),
                None => ("failed", now),
            };
            tracing::warn!(notification = %d.id, channel = %d.channel, attempts, %error, status, "notification not sent");
            sqlx::query(
                "UPDATE notifications SET status = $1, attempts = $2, next_attempt_at = $3, last_error = $4,
                        locked_until = NULL WHERE id = $5",
            )
            .bind(status)
            .bind(attempts)
            .bind(next)
            .bind(&error)
            .bind(&d.id)
            .execute(state.db.writer())
            .await?;
        }
    }
    Ok(())
}
