//! `link.expired`: a link's expiry is a moment, not a change anyone makes, so a sweeper notices
//! it. Each link is marked announced by a conditional update in the same transaction as its
//! event, so the event is recorded exactly once however many origin instances sweep.

use crate::domain::links;
use crate::domain::webhooks::outbox;
use crate::services::Services;

/// Links announced per transaction batch read.
const BATCH: i64 = 100;

/// Records `link.expired` for every active link whose expiry has passed and was not yet
/// announced. Answers how many this call announced.
pub async fn announce_expired(svc: &Services, now: i64) -> Result<usize, sqlx::Error> {
    let mut announced = 0;
    loop {
        let due: Vec<(String,)> = sqlx::query_as(
            "SELECT id FROM links WHERE expiry_announced = 0 AND status = 'active' AND expires_at <= $1
              ORDER BY expires_at LIMIT $2",
        )
        .bind(now)
        .bind(BATCH)
        .fetch_all(svc.db.reader())
        .await?;
        let mut this_round = 0;
        for (id,) in &due {
            let mut tx = svc.db.begin().await?;
            let won = sqlx::query(
                "UPDATE links SET expiry_announced = 1 WHERE id = $1 AND expiry_announced = 0 AND status = 'active'",
            )
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if won && let Some(link) = links::by_id(&mut *tx, id).await? {
                outbox::record(
                    &mut tx,
                    &svc.clock,
                    link.scope(),
                    "link.expired",
                    link.to_json(&svc.edge_url, svc.clock.now()),
                )
                .await?;
                this_round += 1;
            }
            tx.commit().await?;
        }
        announced += this_round;
        if this_round > 0 {
            svc.outbox.notify_one();
        }
        if (due.len() as i64) < BATCH || this_round == 0 {
            return Ok(announced);
        }
    }
}
