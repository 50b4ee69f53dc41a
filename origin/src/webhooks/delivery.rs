//! The webhook worker: claims due deliveries, sends them signed per Standard Webhooks, and
//! reschedules failures on the configured backoff. At least once: a delivery is marked done
//! only after a 2xx, so a crash mid-send means it is sent again (receivers dedupe on
//! `webhook-id`, which is the event id).

use crate::clock::now;
use crate::db::Backend;
use crate::state::AppState;
use linkpay_shared::webhook::WebhookSecret;
use std::time::Duration;

/// Deliveries claimed per round.
const BATCH: i64 = 32;

#[derive(sqlx::FromRow)]
struct Due {
    id: String,
    event_id: String,
    attempts: i64,
    payload: String,
    url: String,
    secret: String,
}

/// Runs until the process exits.
pub async fn run(state: AppState) {
    let client = match reqwest::Client::builder()
        .timeout(state.config.webhook_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("linkpay-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "cannot build the webhook HTTP client; webhooks will not be sent");
            return;
        }
    };
    loop {
        match claim(&state).await {
            Ok(due) if !due.is_empty() => {
                let mut sends = tokio::task::JoinSet::new();
                for d in due {
                    let (state, client) = (state.clone(), client.clone());
                    sends.spawn(async move { send(&state, &client, d).await });
                }
                while sends.join_next().await.is_some() {}
            }
            Ok(_) => {
                // Idle: wake on a new event, or poll for retries coming due.
                let _ =
                    tokio::time::timeout(Duration::from_millis(500), state.outbox.notified()).await;
            }
            Err(e) => {
                tracing::error!(error = %e, "claiming webhook deliveries");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// Leases due deliveries so that no other worker sends them meanwhile; an expired lease (a
/// crashed sender) makes them due again.
async fn claim(state: &AppState) -> Result<Vec<Due>, sqlx::Error> {
    let now = now();
    // Look before leasing: most wake-ups find nothing due (no endpoint, or retries not yet
    // due), and a read costs nothing on SQLite's single writer connection.
    let (due,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM (SELECT 1 FROM webhook_deliveries
          WHERE status = 'pending' AND next_attempt_at <= $1 AND (locked_until IS NULL OR locked_until <= $1)
          LIMIT 1) AS due",
    )
    .bind(now)
    .fetch_one(state.db.reader())
    .await?;
    if due == 0 {
        return Ok(Vec::new());
    }
    let lease = now + state.config.webhook_timeout.as_secs() as i64 + 30;
    let mut tx = state.db.begin().await?;
    // Several origin instances may claim at once. PostgreSQL skips rows another claimer holds;
    // on both, the lease condition is checked again on the row being updated, so a row that
    // someone else leased meanwhile is not taken twice.
    let skip_locked = match state.db.backend() {
        Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let ids: Vec<(String,)> = sqlx::query_as(&format!(
        "UPDATE webhook_deliveries SET locked_until = $1
          WHERE id IN (SELECT id FROM webhook_deliveries
                        WHERE status = 'pending' AND next_attempt_at <= $2 AND (locked_until IS NULL OR locked_until <= $3)
                        ORDER BY next_attempt_at LIMIT $4 {skip_locked})
            AND status = 'pending' AND (locked_until IS NULL OR locked_until <= $3)
          RETURNING id"
    ))
    .bind(lease)
    .bind(now)
    .bind(now)
    .bind(BATCH)
    .fetch_all(&mut *tx)
    .await?;
    let mut due = Vec::with_capacity(ids.len());
    for (id,) in ids {
        let d: Due = sqlx::query_as(
            "SELECT d.id, d.event_id, d.attempts, e.payload, w.url, w.secret
               FROM webhook_deliveries d
               JOIN events e ON e.id = d.event_id
               JOIN webhook_endpoints w ON w.id = d.endpoint_id
              WHERE d.id = $1",
        )
        .bind(&id)
        .fetch_one(&mut *tx)
        .await?;
        due.push(d);
    }
    tx.commit().await?;
    Ok(due)
}

async fn send(state: &AppState, client: &reqwest::Client, d: Due) {
    let result = post(client, &d).await;
    let attempts = d.attempts + 1;
    let now = now();
    let outcome = match &result {
        Ok((code, _)) if (200..300).contains(code) => {
            sqlx::query(
                "UPDATE webhook_deliveries SET status = 'succeeded', attempts = $1, last_status_code = $2, last_error = NULL,
                        locked_until = NULL, updated_at = $3 WHERE id = $4",
            )
            .bind(attempts)
            .bind(*code as i64)
            .bind(now)
            .bind(&d.id)
            .execute(state.db.writer())
            .await
        }
        _ => {
            let (code, error, retry_after) = match &result {
                Ok((code, retry_after)) => (Some(*code as i64), format!("receiver answered {code}"), *retry_after),
                Err(e) => (None, e.clone(), None),
            };
            let schedule = &state.config.webhook_retry_schedule;
            let delay = schedule.get(d.attempts as usize).map(|base| retry_after.map_or(*base, |r| r.max(*base)).min(Duration::from_secs(86_400)));
            let (status, next) = match delay {
                Some(delay) => ("pending", now + delay.as_secs().max(1) as i64),
                None => ("failed", now),
            };
            tracing::warn!(delivery = %d.id, event = %d.event_id, attempts, %error, status, "webhook delivery failed");
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
            .execute(state.db.writer())
            .await
        }
    };
    if let Err(e) = outcome {
        // The lease expires and the delivery is retried: at least once, never lost.
        tracing::error!(error = %e, delivery = %d.id, "recording a webhook attempt");
    }
}

/// Sends one delivery. Returns the status code and any `Retry-After` (seconds form).
async fn post(client: &reqwest::Client, d: &Due) -> Result<(u16, Option<Duration>), String> {
    let secret = WebhookSecret::parse(&d.secret).map_err(|e| e.to_string())?;
    let ts = now();
    let signature = secret.sign(&d.event_id, ts, d.payload.as_bytes());
    let resp = client
        .post(&d.url)
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
                format!("could not connect: {}", e.without_url())
            }
        })?;
    let retry_after = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    Ok((resp.status().as_u16(), retry_after))
}
