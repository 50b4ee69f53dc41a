//! Failed sign-ins per account: after `MAX_FAILURES` within `WINDOW_SECS`, the account takes
//! no password until the window ends. Counted in the database, so every instance agrees, and
//! for unknown emails too, so the answer does not tell which accounts exist.

use crate::base::db::Db;

pub const MAX_FAILURES: i64 = 5;
pub const WINDOW_SECS: i64 = 15 * 60;

/// Seconds until `email` may try again, if it is locked out now.
pub async fn locked_for(db: &Db, now: i64, email: &str) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(i64, i64)> = sqlx::query_as(
        "SELECT failures, window_start FROM dashboard_sign_in_failures WHERE email = $1",
    )
    .bind(email)
    .fetch_optional(db.reader())
    .await?;
    Ok(match row {
        Some((failures, start)) if failures >= MAX_FAILURES && now < start + WINDOW_SECS => {
            Some(start + WINDOW_SECS - now)
        }
        _ => None,
    })
}

/// Counts a failure: a new window if the last one has ended, else one more in it.
pub async fn record_failure(db: &Db, now: i64, email: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO dashboard_sign_in_failures (email, failures, window_start) VALUES ($1, 1, $2)
         ON CONFLICT (email) DO UPDATE SET
           failures = CASE WHEN dashboard_sign_in_failures.window_start + $3 <= $2
                           THEN 1 ELSE dashboard_sign_in_failures.failures + 1 END,
           window_start = CASE WHEN dashboard_sign_in_failures.window_start + $3 <= $2
                           THEN $2 ELSE dashboard_sign_in_failures.window_start END",
    )
    .bind(email)
    .bind(now)
    .bind(WINDOW_SECS)
    .execute(db.writer())
    .await?;
    Ok(())
}

pub async fn clear(db: &Db, email: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM dashboard_sign_in_failures WHERE email = $1")
        .bind(email)
        .execute(db.writer())
        .await?;
    Ok(())
}
