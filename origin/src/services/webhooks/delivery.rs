//! The webhook worker: claims due deliveries, sends them signed per Standard Webhooks, and
//! reschedules failures on the configured backoff. At least once: a delivery is marked done
//! only after a 2xx, so a crash mid-send means it is sent again (receivers dedupe on
//! `webhook-id`, which is the event id). Every attempt is recorded for the merchant to see; a
//! `410 Gone` disables the endpoint.

use crate::base::clock::Clock;
use crate::base::db::Db;
use crate::base::ids;
use crate::base::jobs::{self, Queue, Retry, Round};
use crate::base::secrets::MasterKeys;
use crate::domain::webhooks::{endpoints, ssrf};
use linkpay_shared::webhook::WebhookSecret;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// Deliveries claimed per round.
const BATCH: i64 = 32;

#[derive(sqlx::FromRow)]
struct Due {
    id: String,
    event_id: String,
    endpoint_id: String,
    attempts: i64,
    payload: String,
    url: String,
    /// Sealed for the endpoint's row, as stored.
    secret: String,
    previous_secret: Option<String>,
    previous_secret_expires_at: Option<i64>,
}

/// Connecting gets at most this long, within the whole attempt's timeout.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Retry-After never pushes a retry further than this.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(86_400);

/// The queue of deliveries: a delivery is a job until it has succeeded, failed or been
/// canceled.
const QUEUE: Queue = Queue {
    table: "webhook_deliveries",
    open: Some("status = 'pending'"),
    order: "next_attempt_at",
    batch: BATCH,
};

/// What the webhook worker needs: the database and the `LINKPAY_WEBHOOK_*` settings.
pub struct Deliveries {
    pub db: Db,
    pub clock: Clock,
    /// Delays after each failed attempt; past the last one a delivery has failed.
    pub retry_schedule: Vec<Duration>,
    pub timeout: Duration,
    /// Whether endpoints on loopback and private addresses may be sent to.
    pub allow_private_networks: bool,
    /// Open the endpoints' sealed secrets.
    pub master_keys: MasterKeys,
}

/// Runs until the process exits; `wake` is notified when deliveries are queued.
pub async fn run(state: Arc<Deliveries>, wake: Arc<Notify>) {
    let mut builder = reqwest::Client::builder()
        .timeout(state.timeout)
        .connect_timeout(CONNECT_TIMEOUT.min(state.timeout))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("linkpay-webhooks/", env!("CARGO_PKG_VERSION")));
    if !state.allow_private_networks {
        builder = builder.dns_resolver(Arc::new(ssrf::PublicOnly));
    }
    let client = match builder.build() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "cannot build the webhook HTTP client; webhooks will not be sent");
            return;
        }
    };
    // Woken by a new event; polls for retries coming due.
    let wake = Some(wake);
    jobs::run(
        "delivering webhooks",
        wake,
        Duration::from_millis(500),
        || send_due(&state, &client),
    )
    .await;
}

/// Sends one batch of due deliveries, together.
async fn send_due(state: &Arc<Deliveries>, client: &reqwest::Client) -> Result<Round, sqlx::Error> {
    let due = claim(state).await?;
    if due.is_empty() {
        return Ok(Round::Idle);
    }
    let mut sends = tokio::task::JoinSet::new();
    for d in due {
        let (state, client) = (state.clone(), client.clone());
        sends.spawn(async move { send(&state, &client, d).await });
    }
    while sends.join_next().await.is_some() {}
    Ok(Round::Worked)
}

/// Leases due deliveries so that no other worker sends them meanwhile, with what sending
/// them needs.
async fn claim(state: &Deliveries) -> Result<Vec<Due>, sqlx::Error> {
    let now = state.clock.now();
    // Long enough for a batch to be sent (each send is bounded by the timeout) and recorded;
    // short, because a crashed sender's deliveries wait this long before another takes them.
    let lease = now + 2 * state.timeout.as_secs().max(1) as i64 + 5;
    let ids: Vec<String> = QUEUE.claim(&state.db, now, lease).await?;
    let mut due = Vec::with_capacity(ids.len());
    for id in ids {
        let d: Due = sqlx::query_as(
            "SELECT d.id, d.event_id, d.endpoint_id, d.attempts, e.payload, w.url, w.secret,
                    w.previous_secret, w.previous_secret_expires_at
               FROM webhook_deliveries d
               JOIN events e ON e.id = d.event_id
               JOIN webhook_endpoints w ON w.id = d.endpoint_id
              WHERE d.id = $1",
        )
        .bind(&id)
        .fetch_one(state.db.reader())
        .await?;
        due.push(d);
    }
    Ok(due)
}

async fn send(state: &Deliveries, client: &reqwest::Client, d: Due) {
    let started = Instant::now();
    let attempted_at = state.clock.now();
    let result = post(state, client, &d).await;
    let duration_ms = started.elapsed().as_millis() as i64;
    if let Err(e) = record(state, &d, attempted_at, duration_ms, &result).await {
        // The lease expires and the delivery is retried: at least once, never lost.
        tracing::error!(error = %e, delivery = %d.id, "recording a webhook attempt");
    }
}

/// Records one attempt and its consequence for the delivery (and, on 410, the endpoint) in
/// one transaction.
async fn record(
    state: &Deliveries,
    d: &Due,
    attempted_at: i64,
    duration_ms: i64,
    result: &Result<(u16, Option<Duration>), String>,
) -> Result<(), sqlx::Error> {
    let attempts = d.attempts + 1;
    let now = state.clock.now();
    let (code, error) = match result {
        Ok((code, _)) if (200..300).contains(code) => (Some(*code as i64), None),
        Ok((code, _)) => (
            Some(*code as i64),
            Some(format!("receiver answered {code}")),
        ),
        Err(e) => (None, Some(e.clone())),
    };
    let mut tx = state.db.begin().await?;
    sqlx::query(
        "INSERT INTO webhook_attempts (id, delivery_id, attempted_at, status_code, error, duration_ms)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(ids::new_sortable_id("wha", state.clock.now_millis()))
    .bind(&d.id)
    .bind(attempted_at)
    .bind(code)
    .bind(&error)
    .bind(duration_ms)
    .execute(&mut *tx)
    .await?;
    let (status, next) = match result {
        Ok((code, _)) if (200..300).contains(code) => ("succeeded", now),
        Ok((410, _)) => {
            tracing::warn!(endpoint = %d.endpoint_id, "webhook endpoint answered 410 Gone; disabling it");
            endpoints::disable_gone(&mut tx, state.clock.now(), &d.endpoint_id).await?;
            ("failed", now)
        }
        Ok((_, retry_after)) => next_try(state, d.attempts, *retry_after, now),
        Err(_) => next_try(state, d.attempts, None, now),
    };
    if let Some(error) = &error {
        tracing::warn!(delivery = %d.id, event = %d.event_id, attempts, %error, status, "webhook delivery failed");
    }
    sqlx::query(
        "UPDATE webhook_deliveries SET status = $1, attempts = $2, next_attempt_at = $3, last_status_code = $4, last_error = $5,
                locked_until = NULL, updated_at = $6 WHERE id = $7",
    )
    .bind(status)
    .bind(attempts)
    .bind(next)
    .bind(code)
    .bind(&error)
    .bind(now)
    .bind(&d.id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// After failed attempt number `done + 1`: the next try per the schedule, later if the
/// receiver asked (Retry-After, capped at a day), or `failed` when the schedule is over.
fn next_try(
    state: &Deliveries,
    done: i64,
    retry_after: Option<Duration>,
    now: i64,
) -> (&'static str, i64) {
    match Retry::Schedule(&state.retry_schedule).delay(done + 1) {
        Some(base) => {
            let delay = retry_after
                .map_or(base, |r| r.max(base))
                .min(MAX_RETRY_AFTER.max(base));
            ("pending", now + delay.as_secs().max(1) as i64)
        }
        None => ("failed", now),
    }
}

/// Sends one delivery. Returns the status code and any `Retry-After`. The response body is
/// never read: only the status matters.
async fn post(
    state: &Deliveries,
    client: &reqwest::Client,
    d: &Due,
) -> Result<(u16, Option<Duration>), String> {
    let url = reqwest::Url::parse(&d.url).map_err(|e| format!("bad url: {e}"))?;
    if !state.allow_private_networks
        && let Some(why) = ssrf::literal_forbidden(&url)
    {
        return Err(format!("refused: the endpoint's host is {why}"));
    }
    let ts = state.clock.now();
    let signature = signatures(d, &state.master_keys, ts)?;
    let resp = client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", &d.event_id)
        .header("webhook-timestamp", ts.to_string())
        .header("webhook-signature", signature)
        .body(d.payload.clone())
        .send()
        .await
        .map_err(|e| {
            if e.is_timeout() {
                "timed out".to_owned()
            } else {
                // Without the URL: it may carry a merchant's credentials in its query.
                format!("could not connect: {}", causes(&e.without_url()))
            }
        })?;
    let retry_after = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| retry_after(v, state.clock.now()));
    Ok((resp.status().as_u16(), retry_after))
}

/// An error and its causes, innermost last: the top level alone ("error sending request")
/// does not tell a merchant what went wrong.
fn causes(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut next = e.source();
    while let Some(cause) = next {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        next = cause.source();
    }
    out
}

/// The `webhook-signature` header: the current secret's signature, and during a rotation's
/// overlap the previous secret's too, space separated as Standard Webhooks allows.
fn signatures(d: &Due, keys: &MasterKeys, ts: i64) -> Result<String, String> {
    let place = endpoints::place(&d.endpoint_id);
    let secret = keys
        .open(&place, &d.secret)
        .map_err(|e| format!("the endpoint's secret: {e}"))?;
    let mut out = WebhookSecret::parse(&secret)
        .map_err(|e| e.to_string())?
        .sign(&d.event_id, ts, d.payload.as_bytes());
    if let (Some(previous), Some(until)) = (&d.previous_secret, d.previous_secret_expires_at)
        && until > ts
        && let Ok(previous) = keys.open(&place, previous)
        && let Ok(previous) = WebhookSecret::parse(&previous)
    {
        out.push(' ');
        out.push_str(&previous.sign(&d.event_id, ts, d.payload.as_bytes()));
    }
    Ok(out)
}

/// `Retry-After` in either form: delay seconds, or an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`).
fn retry_after(value: &str, now: i64) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let at = time::PrimitiveDateTime::parse(value, format)
        .ok()?
        .assume_utc()
        .unix_timestamp();
    Some(Duration::from_secs((at - now).max(0) as u64))
}

#[cfg(test)]
mod tests {
    use super::retry_after;
    use std::time::Duration;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        assert_eq!(retry_after("120", 0), Some(Duration::from_secs(120)));
        // 784111777 is Sun, 06 Nov 1994 08:49:37 GMT.
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_777 - 90),
            Some(Duration::from_secs(90))
        );
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_777 + 5),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("soon", 0), None);
    }
}
