//! Provider events already applied, by the provider's own event id, so that a webhook the
//! provider delivers again (it delivers at least once) or someone replays is applied once.

use crate::base::db::Db;

pub async fn seen(db: &Db, account_id: &str, event_id: &str) -> Result<bool, sqlx::Error> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT received_at FROM provider_events WHERE provider_account_id = $1 AND event_id = $2",
    )
    .bind(account_id)
    .bind(event_id)
    .fetch_optional(db.reader())
    .await?;
    Ok(row.is_some())
}

pub async fn record(
    db: &Db,
    now: i64,
    account_id: &str,
    event_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO provider_events (provider_account_id, event_id, received_at) VALUES ($1, $2, $3)
         ON CONFLICT (provider_account_id, event_id) DO NOTHING",
    )
    .bind(account_id)
    .bind(event_id)
    .bind(now)
    .execute(db.writer())
    .await?;
    Ok(())
}
