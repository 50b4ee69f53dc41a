//! Work on a timetable — sweeps, link expiry, pruning — as durable jobs: one row per kind in
//! `periodic_jobs`, claimed with a lease like any queue, so that one instance at a time runs
//! each. A job is due again `every` after it last finished; a failed run is retried sooner,
//! doubling up to `every`, with its reason in `last_error`.
//!
//! A run may still overlap another instance's (a lease that ran out mid-run), so every
//! periodic job must be safe to run twice at once: conditional updates, as each one is.

use super::{Queue, Retry, Round};
use crate::base::clock::Clock;
use crate::base::db::Db;
use futures_util::future::BoxFuture;
use std::time::Duration;

/// One kind of work on a timetable.
pub struct Periodic {
    /// Its row's id in `periodic_jobs`, e.g. `links.expire`.
    pub id: &'static str,
    pub every: Duration,
    pub run: Box<dyn Fn() -> BoxFuture<'static, Result<(), String>> + Send + Sync>,
}

const QUEUE: Queue = Queue {
    table: "periodic_jobs",
    open: None,
    order: "next_attempt_at",
    batch: 16,
};

/// Longer than a run normally takes; a crashed instance's job waits this long for another.
const LEASE_SECS: i64 = 300;

/// Makes sure every job has its row; a new one is due at once, an existing one keeps its time.
pub async fn schedule(db: &Db, clock: &Clock, jobs: &[Periodic]) -> Result<(), sqlx::Error> {
    for job in jobs {
        sqlx::query(
            "INSERT INTO periodic_jobs (id, next_attempt_at, attempts) VALUES ($1, $2, 0)
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(job.id)
        .bind(clock.now())
        .execute(db.writer())
        .await?;
    }
    Ok(())
}

/// One round: runs every due job this instance could claim, together.
pub async fn run_due(db: &Db, clock: &Clock, jobs: &[Periodic]) -> Result<Round, sqlx::Error> {
    let at = clock.now();
    let ids: Vec<String> = QUEUE.claim(db, at, at + LEASE_SECS).await?;
    if ids.is_empty() {
        return Ok(Round::Idle);
    }
    // A row this binary does not know (a newer release's, mid-upgrade) stays leased until
    // its lease runs out, then goes to an instance that knows it.
    let runs = ids
        .iter()
        .filter_map(|id| jobs.iter().find(|j| j.id == id))
        .map(|job| async move { finish(db, clock, job, (job.run)().await).await });
    for done in futures_util::future::join_all(runs).await {
        done?;
    }
    Ok(Round::Worked)
}

async fn finish(
    db: &Db,
    clock: &Clock,
    job: &Periodic,
    result: Result<(), String>,
) -> Result<(), sqlx::Error> {
    let at = clock.now();
    match result {
        Ok(()) => {
            sqlx::query(
                "UPDATE periodic_jobs SET next_attempt_at = $1, attempts = 0, last_error = NULL,
                        locked_until = NULL, last_run_at = $2 WHERE id = $3",
            )
            .bind(at + job.every.as_secs().max(1) as i64)
            .bind(at)
            .bind(job.id)
            .execute(db.writer())
            .await?;
        }
        Err(error) => {
            let (attempts,): (i64,) =
                sqlx::query_as("SELECT attempts FROM periodic_jobs WHERE id = $1")
                    .bind(job.id)
                    .fetch_one(db.reader())
                    .await?;
            let delay = Retry::Doubling { max: job.every }
                .delay(attempts + 1)
                .unwrap_or(job.every);
            tracing::warn!(job = job.id, %error, attempts = attempts + 1, "periodic job failed; will retry");
            sqlx::query(
                "UPDATE periodic_jobs SET next_attempt_at = $1, attempts = attempts + 1, last_error = $2,
                        locked_until = NULL WHERE id = $3",
            )
            .bind(at + delay.as_secs().max(1) as i64)
            .bind(&error)
            .bind(job.id)
            .execute(db.writer())
            .await?;
        }
    }
    Ok(())
}
