//! Pushing display state and short codes to the edge worker's KV.
//!
//! Changes are queued in `edge_sync` by `domain::edge_state` in the same transaction as the
//! change; this background task pushes the queue to the worker's `POST /internal/v1/kv`,
//! signed like the edge's own calls to the origin. KV is for display only: the origin still
//! refuses a checkout of a used or deactivated link whether or not the push has landed.

use crate::base::jobs::{self, Queue, Retry, Round};
use crate::services::Services;
use linkpay_shared::channel;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

pub const PATH: &str = "/internal/v1/kv";
/// The worker takes at most 100 entries per request.
const BATCH: i64 = 100;
const MAX_BACKOFF_SECS: i64 = 60;

#[derive(sqlx::FromRow)]
struct Queued {
    id: i64,
    key: String,
    value: Option<String>,
    expiration: Option<i64>,
    attempts: i64,
}

/// Runs until the process exits.
pub async fn run(svc: std::sync::Arc<Services>) {
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("linkpay-origin/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "cannot build the HTTP client for the edge; pay pages will not show link states");
            return;
        }
    };
    // While the worker is unreachable this instance waits as a whole, ignoring new work,
    // rather than claiming and rescheduling batch after batch: that churn would compete with
    // checkouts for the database's writer.
    let failures = AtomicI64::new(0);
    let wake = Some(svc.edge_sync.clone());
    jobs::run(
        "pushing display state to the edge",
        wake,
        Duration::from_millis(500),
        || {
            let (svc, client, failures) = (&*svc, &client, &failures);
            async move {
                Ok::<_, sqlx::Error>(match push_once(svc, client).await? {
                    Pushed::Some => {
                        failures.store(0, Ordering::Relaxed);
                        Round::Worked
                    }
                    Pushed::Nothing => Round::Idle,
                    Pushed::Failed => {
                        let n = failures.fetch_add(1, Ordering::Relaxed) + 1;
                        Round::Pause(Duration::from_secs(backoff(n) as u64))
                    }
                })
            }
        },
    )
    .await;
}

/// What one round did.
#[derive(Debug, PartialEq, Eq)]
pub enum Pushed {
    Some,
    Nothing,
    Failed,
}

/// Pushes one batch of due entries.
pub async fn push_once(svc: &Services, client: &reqwest::Client) -> Result<Pushed, sqlx::Error> {
    let batch = claim(svc).await?;
    if batch.is_empty() {
        return Ok(Pushed::Nothing);
    }
    let body = request_body(&batch).to_string();
    let ts = svc.clock.now();
    let signature = channel::sign(&svc.edge_secret, ts, "POST", PATH, body.as_bytes());
    let sent = client
        .post(format!("{}{PATH}", svc.edge_url))
        .header(channel::TIMESTAMP_HEADER, ts.to_string())
        .header(channel::SIGNATURE_HEADER, signature)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await;
    let failure = match sent {
        Ok(r) if r.status().is_success() => None,
        Ok(r) => Some(format!("the worker answered {}", r.status())),
        Err(e) => Some(format!("cannot reach the worker at {}: {e}", svc.edge_url)),
    };
    // One statement for the whole batch: the ids are integers from our own table, so they
    // can be written into the SQL as they are.
    let ids = batch
        .iter()
        .map(|q| q.id.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    match failure {
        None => {
            sqlx::query(&format!("DELETE FROM edge_sync WHERE id IN ({ids})"))
                .execute(svc.db.writer())
                .await?;
            Ok(Pushed::Some)
        }
        Some(error) => {
            let attempts = batch.iter().map(|q| q.attempts).max().unwrap_or(0) + 1;
            // Say it once per streak, then at growing intervals, not on every retry.
            if (attempts as u64).is_power_of_two() {
                tracing::warn!(%error, attempts, pending = batch.len(), "link states not yet pushed to the edge; retrying");
            }
            sqlx::query(&format!(
                "UPDATE edge_sync SET attempts = attempts + 1, next_attempt_at = $1, locked_until = NULL, last_error = $2
                  WHERE id IN ({ids})"
            ))
            .bind(svc.clock.now() + backoff(attempts))
            .bind(&error)
            .execute(svc.db.writer())
            .await?;
            Ok(Pushed::Failed)
        }
    }
}

/// 1 s, 2 s, 4 s … up to a minute, never giving up: a worker back from an outage gets the
/// queue soon, and display state is never dropped.
fn backoff(attempts: i64) -> i64 {
    RETRY
        .delay(attempts)
        .map_or(MAX_BACKOFF_SECS, |d| d.as_secs() as i64)
}

const RETRY: Retry<'static> = Retry::Doubling {
    max: Duration::from_secs(MAX_BACKOFF_SECS as u64),
};

/// Later writes to a key win, so only the newest queued entry per key is sent.
fn request_body(batch: &[Queued]) -> Value {
    let mut put = Vec::new();
    let mut delete = Vec::new();
    for (i, q) in batch.iter().enumerate() {
        if batch[i + 1..].iter().any(|later| later.key == q.key) {
            continue;
        }
        match &q.value {
            Some(v) => put.push(json!({"key": q.key, "value": v, "expiration": q.expiration})),
            None => delete.push(Value::String(q.key.clone())),
        }
    }
    json!({"put": put, "delete": delete})
}

/// An entry is a job until the worker has taken it; then it is deleted.
const QUEUE: Queue = Queue {
    table: "edge_sync",
    open: None,
    order: "id",
    batch: BATCH,
};

async fn claim(svc: &Services) -> Result<Vec<Queued>, sqlx::Error> {
    let now = svc.clock.now();
    let ids: Vec<i64> = QUEUE.claim(&svc.db, now, now + 60).await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // Integers from our own table, so they can be written into the SQL as they are.
    let list = ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    sqlx::query_as(&format!(
        "SELECT id, key, value, expiration, attempts FROM edge_sync WHERE id IN ({list}) ORDER BY id"
    ))
    .fetch_all(svc.db.reader())
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(id: i64, key: &str, value: Option<&str>) -> Queued {
        Queued {
            id,
            key: key.into(),
            value: value.map(str::to_owned),
            expiration: None,
            attempts: 0,
        }
    }

    #[test]
    fn the_newest_entry_per_key_wins() {
        let body = request_body(&[
            q(1, "s:a", Some("old")),
            q(2, "p:x", Some("tok")),
            q(3, "s:a", Some("new")),
            q(4, "s:b", None),
        ]);
        assert_eq!(
            body,
            json!({
                "put": [
                    {"key": "p:x", "value": "tok", "expiration": null},
                    {"key": "s:a", "value": "new", "expiration": null},
                ],
                "delete": ["s:b"],
            })
        );
    }

    #[test]
    fn backoff_doubles_up_to_a_minute() {
        let delays: Vec<i64> = (1..=12).map(backoff).collect();
        assert_eq!(&delays[..5], &[1, 2, 4, 8, 16]);
        assert_eq!(delays[11], 60);
        assert_eq!(backoff(1000), 60);
    }
}
