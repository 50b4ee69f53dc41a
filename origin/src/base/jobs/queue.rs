//! Claiming due jobs from a queue table, the same way for every queue and both databases.

use crate::base::db::{Backend, Db};
use sqlx::{Any, Decode, Type};

/// A queue: a table whose rows are jobs. Every queue table has `id`, `next_attempt_at` (when
/// the job is due), `locked_until` (the lease of whoever is running it), `attempts` and
/// `last_error`.
#[derive(Debug, Clone, Copy)]
pub struct Queue {
    pub table: &'static str,
    /// What else makes a row a job still to do (its status), in SQL over the table's
    /// columns; `None` where every row is one (the table forgets finished jobs).
    pub open: Option<&'static str>,
    /// Which due jobs go first.
    pub order: &'static str,
    /// Jobs claimed at most per round.
    pub batch: i64,
}

impl Queue {
    /// Leases up to [`Queue::batch`] due jobs, the first in the queue's order, until
    /// `lease_until`, and answers their ids. An expired lease (a crashed runner) makes a job
    /// due again.
    pub async fn claim<Id>(
        &self,
        db: &Db,
        now: i64,
        lease_until: i64,
    ) -> Result<Vec<Id>, sqlx::Error>
    where
        Id: for<'r> Decode<'r, Any> + Type<Any> + Send + Unpin,
    {
        let Queue {
            table,
            open,
            order,
            batch,
        } = *self;
        let unleased = "(locked_until IS NULL OR locked_until <= $1)";
        let still = open.map(|o| format!("{o} AND ")).unwrap_or_default();
        let due = format!("{still}next_attempt_at <= $1 AND {unleased}");
        // Look before leasing: most rounds find nothing due, and a read costs nothing on
        // SQLite's single writer connection.
        let (any,): (i64,) = sqlx::query_as(&format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE {due} LIMIT 1) AS due"
        ))
        .bind(now)
        .fetch_one(db.reader())
        .await?;
        if any == 0 {
            return Ok(Vec::new());
        }
        // PostgreSQL skips rows another claimer holds; on both, the lease condition is checked
        // again on the row being updated, so a row someone leased meanwhile is not taken twice.
        let skip_locked = match db.backend() {
            Backend::Postgres => "FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        // One statement, so it is atomic on its own; no transaction around it.
        let rows: Vec<(Id,)> = sqlx::query_as(&format!(
            "UPDATE {table} SET locked_until = $2
              WHERE id IN (SELECT id FROM {table} WHERE {due} ORDER BY {order} LIMIT $3 {skip_locked})
                AND {still}{unleased}
              RETURNING id"
        ))
        .bind(now)
        .bind(lease_until)
        .bind(batch)
        .fetch_all(db.writer())
        .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }
}
