//! Reading events back: the list a merchant pages through, each event's deliveries with every
//! attempt, and a manual resend to one endpoint.

use crate::base::clock::Clock;
use crate::base::db::Db;
use crate::base::listing::{self, Cursor, Page, Scope, Where};
use crate::domain::webhooks::endpoints;
use crate::domain::webhooks::outbox;
use serde_json::{Value, json};

const COLUMNS: &str = "id, merchant_id, livemode, type AS kind, payload, created_at";

#[derive(Debug, sqlx::FromRow)]
pub struct Event {
    pub id: String,
    pub merchant_id: String,
    #[sqlx(try_from = "crate::base::db::Flag")]
    pub livemode: bool,
    pub kind: String,
    /// The webhook body, exactly as it is sent.
    pub payload: String,
    pub created_at: i64,
}

impl Event {
    pub fn to_json(&self) -> Value {
        let body: Value = serde_json::from_str(&self.payload).unwrap_or(Value::Null);
        json!({
            "id": self.id,
            "object": "event",
            "type": self.kind,
            "livemode": self.livemode,
            "created": self.created_at,
            "data": body["data"],
        })
    }
}

#[derive(Default)]
pub struct EventFilter {
    pub kind: Option<String>,
    pub created_gte: Option<i64>,
    pub created_lte: Option<i64>,
}

pub async fn list(
    db: &Db,
    scope: Scope<'_>,
    filter: &EventFilter,
    cursor: Option<Cursor>,
    limit: i64,
) -> Result<Page<Event>, sqlx::Error> {
    let mut w = Where::owned_by(scope);
    w.and_if("type = ?", filter.kind.as_ref());
    w.and_if("created_at >= ?", filter.created_gte);
    w.and_if("created_at <= ?", filter.created_lte);
    listing::page(db, "events", COLUMNS, w, cursor, limit).await
}

/// The merchant's event with this id, in either mode (the caller checks the mode).
pub async fn get(db: &Db, merchant_id: &str, id: &str) -> Result<Option<Event>, sqlx::Error> {
    let table = ("events", COLUMNS);
    crate::base::db::owned_row(db.reader(), table, "TRUE", merchant_id, id).await
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    id: String,
    endpoint_id: String,
    url: String,
    status: String,
    attempts: i64,
    next_attempt_at: i64,
    last_status_code: Option<i64>,
    last_error: Option<String>,
}

#[derive(sqlx::FromRow)]
struct AttemptRow {
    delivery_id: String,
    attempted_at: i64,
    status_code: Option<i64>,
    error: Option<String>,
    duration_ms: i64,
}

/// Every delivery of an event, oldest first, each with its attempts.
pub async fn deliveries(db: &Db, event_id: &str) -> Result<Vec<Value>, sqlx::Error> {
    let rows: Vec<DeliveryRow> = sqlx::query_as(
        "SELECT d.id, d.endpoint_id, w.url, d.status, d.attempts, d.next_attempt_at, d.last_status_code, d.last_error
           FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id
          WHERE d.event_id = $1 ORDER BY d.id",
    )
    .bind(event_id)
    .fetch_all(db.reader())
    .await?;
    let attempts: Vec<AttemptRow> = sqlx::query_as(
        "SELECT a.delivery_id, a.attempted_at, a.status_code, a.error, a.duration_ms
           FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
          WHERE d.event_id = $1 ORDER BY a.attempted_at, a.id",
    )
    .bind(event_id)
    .fetch_all(db.reader())
    .await?;
    Ok(rows
        .into_iter()
        .map(|d| {
            let tried: Vec<Value> = attempts
                .iter()
                .filter(|a| a.delivery_id == d.id)
                .map(|a| {
                    json!({
                        "attempted": a.attempted_at,
                        "status_code": a.status_code,
                        "error": a.error,
                        "duration_ms": a.duration_ms,
                    })
                })
                .collect();
            json!({
                "id": d.id,
                "object": "webhook_delivery",
                "event": event_id,
                "endpoint": d.endpoint_id,
                "url": d.url,
                "status": d.status,
                "attempt_count": d.attempts,
                "next_attempt": (d.status == "pending").then_some(d.next_attempt_at),
                "last_status_code": d.last_status_code,
                "last_error": d.last_error,
                "attempts": tried,
            })
        })
        .collect())
}

pub enum Resend {
    Queued(String),
    /// No such endpoint in the event's mode.
    NoSuchEndpoint,
    EndpointDisabled,
}

/// Queues a fresh delivery of `event` to one of the merchant's enabled endpoints, due now,
/// whatever the endpoint's event filter says (the merchant asked for this one). The endpoint
/// must be of the event's mode: a test event never goes to a live endpoint.
pub async fn resend(
    db: &Db,
    clock: &Clock,
    event: &Event,
    endpoint_id: &str,
) -> Result<Resend, sqlx::Error> {
    let found = endpoints::get(db, &event.merchant_id, endpoint_id).await?;
    let Some(endpoint) = found.filter(|e| e.livemode == event.livemode) else {
        return Ok(Resend::NoSuchEndpoint);
    };
    if endpoint.enabled != 1 {
        return Ok(Resend::EndpointDisabled);
    }
    let mut tx = db.begin().await?;
    let id = outbox::queue_delivery(&mut tx, clock, &event.id, endpoint_id).await?;
    tx.commit().await?;
    Ok(Resend::Queued(id))
}
