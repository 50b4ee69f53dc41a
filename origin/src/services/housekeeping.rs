//! Periodic clean-up that any origin instance may run (every statement is idempotent).

use crate::base::db::Db;

/// Idempotency keys are kept at least this long (Stripe keeps them 24 hours).
pub const IDEMPOTENCY_KEY_TTL_SECS: i64 = 24 * 3600;
/// Pruning waits a little longer than the promise, so a key is never dropped early.
const PRUNE_AFTER_SECS: i64 = IDEMPOTENCY_KEY_TTL_SECS + 3600;

pub async fn prune_idempotency_keys(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
        .bind(now - PRUNE_AFTER_SECS)
        .execute(db.writer())
        .await?;
    Ok(done.rows_affected())
}
