//! What the edge worker's KV should hold for the pay pages: a link's display state (used,
//! deactivated), its short code, a merchant's display settings. A change the pay page should
//! reflect is queued in `edge_sync` in the same transaction as the change;
//! `services::edge_sync` pushes the queue.

use crate::base::db::Tx;
use crate::domain::links::Link;
use crate::domain::{branding, payment_methods};
use serde_json::json;

pub fn short_code_key(code: &str) -> String {
    format!("p:{code}")
}

pub fn state_key(link_id: &str) -> String {
    format!("s:{link_id}")
}

/// Queues `key = value` for the worker's KV, expiring at `expiration` (unix seconds).
pub async fn put(
    tx: &mut Tx,
    now: i64,
    key: &str,
    value: &str,
    expiration: Option<i64>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO edge_sync (key, value, expiration, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(key)
    .bind(value)
    .bind(expiration)
    .bind(now)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Queues what the pay page of `link` should say instead of offering to pay.
pub async fn put_link_state(
    tx: &mut Tx,
    now: i64,
    link: &Link,
    status: &str,
    message: Option<&str>,
) -> Result<(), sqlx::Error> {
    let value = json!({"status": status, "message": message}).to_string();
    // Kept a while past expiry, then KV forgets it: the token's own expiry takes over.
    let expiration = link.expires_at + 30 * 86_400;
    put(tx, now, &state_key(&link.id), &value, Some(expiration)).await
}

/// Queues what the edge shows of a merchant: payment methods and branding, one value.
pub async fn queue_merchant(tx: &mut Tx, now: i64, merchant_id: &str) -> Result<(), sqlx::Error> {
    let methods = payment_methods::get(&mut **tx, merchant_id).await?;
    let branding = branding::get(&mut **tx, merchant_id).await?;
    let value = json!({
        "payment_methods": methods.enabled().iter().map(|m| m.as_str()).collect::<Vec<_>>(),
        "branding": branding,
    });
    put(
        tx,
        now,
        &payment_methods::kv_key(merchant_id),
        &value.to_string(),
        None,
    )
    .await
}
