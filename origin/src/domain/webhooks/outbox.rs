//! Events, written in the same transaction as the change they describe, and a queued delivery
//! for every enabled webhook endpoint of the merchant, in the event's mode, that wants the
//! event's type. The webhook worker sends them later, so a crash between "paid" and "told the
//! merchant" loses nothing.

use crate::base::clock::{Clock, rfc3339};
use crate::base::db::Tx;
use crate::base::ids;
use crate::base::listing::Scope;
use crate::domain::webhooks::endpoints;
use serde_json::{Value, json};

pub async fn record(
    tx: &mut Tx,
    clock: &Clock,
    scope: Scope<'_>,
    kind: &str,
    object: Value,
) -> Result<String, sqlx::Error> {
    let subscribers = Subscribers::read(&mut **tx, scope).await?;
    record_for(tx, clock, &subscribers, kind, object).await
}

/// A merchant's enabled webhook endpoints in one mode. Hot paths read them before their write
/// transaction, on the reader, so that the transaction holds SQLite's one writer for its
/// writes only. An endpoint added while the transaction runs may miss that one event, as it
/// may when it is read inside the transaction on PostgreSQL.
pub struct Subscribers {
    merchant_id: String,
    livemode: bool,
    endpoints: Vec<(String, String)>,
}

impl Subscribers {
    pub async fn read<'e>(
        db: impl sqlx::Executor<'e, Database = sqlx::Any>,
        scope: Scope<'_>,
    ) -> Result<Subscribers, sqlx::Error> {
        let endpoints = sqlx::query_as(
            "SELECT id, enabled_events FROM webhook_endpoints WHERE merchant_id = $1 AND livemode = $2 AND enabled = 1",
        )
        .bind(scope.merchant_id)
        .bind(i64::from(scope.livemode))
        .fetch_all(db)
        .await?;
        Ok(Subscribers {
            merchant_id: scope.merchant_id.to_owned(),
            livemode: scope.livemode,
            endpoints,
        })
    }
}

/// [`record`] with the endpoints read beforehand.
pub async fn record_for(
    tx: &mut Tx,
    clock: &Clock,
    subscribers: &Subscribers,
    kind: &str,
    object: Value,
) -> Result<String, sqlx::Error> {
    let id = ids::new_sortable_id("evt", clock.now_millis());
    let created = clock.now();
    let payload = json!({
        "id": id,
        "type": kind,
        "timestamp": rfc3339(created),
        "livemode": subscribers.livemode,
        "data": object,
    });
    sqlx::query(
        "INSERT INTO events (id, merchant_id, livemode, type, payload, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(&subscribers.merchant_id)
    .bind(i64::from(subscribers.livemode))
    .bind(kind)
    .bind(payload.to_string())
    .bind(created)
    .execute(&mut **tx)
    .await?;
    for (endpoint_id, wanted) in &subscribers.endpoints {
        if endpoints::wants(wanted, kind) {
            queue_delivery(tx, clock, &id, endpoint_id).await?;
        }
    }
    Ok(id)
}

/// Queues one delivery of an event to an endpoint, due now.
pub async fn queue_delivery(
    tx: &mut Tx,
    clock: &Clock,
    event_id: &str,
    endpoint_id: &str,
) -> Result<String, sqlx::Error> {
    let id = ids::new_sortable_id("dlv", clock.now_millis());
    let due = clock.now();
    sqlx::query(
        "INSERT INTO webhook_deliveries (id, event_id, endpoint_id, next_attempt_at, updated_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id)
    .bind(event_id)
    .bind(endpoint_id)
    .bind(due)
    .bind(due)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}
