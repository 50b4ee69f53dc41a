//! One failing delivery walked through the whole default retry schedule (5 s … 24 h, about
//! three days) by moving the origin's clock instead of waiting. The clock is this origin's own, so
//! other tests run meanwhile.

use crate::common::Origin;
use linkpay_e2e::receiver::Receiver;
use std::time::Duration;

#[derive(sqlx::FromRow, Debug)]
struct Row {
    status: String,
    attempts: i64,
    next_attempt_at: i64,
}

async fn delivery(o: &Origin) -> Row {
    sqlx::query_as("SELECT status, attempts, next_attempt_at FROM webhook_deliveries")
        .fetch_one(o.state.db.reader())
        .await
        .expect("one delivery")
}

async fn last_attempt_at(o: &Origin) -> i64 {
    let (at,): (i64,) = sqlx::query_as("SELECT MAX(attempted_at) FROM webhook_attempts")
        .fetch_one(o.state.db.reader())
        .await
        .expect("attempt");
    at
}

async fn wait_for_attempts(o: &Origin, n: i64) -> Row {
    for _ in 0..400 {
        let row = delivery(o).await;
        if row.attempts >= n {
            return row;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("attempt {n} never happened: {:?}", delivery(o).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_delivery_follows_the_default_schedule_then_fails() {
    // The default schedule, as a merchant's deployment has it.
    let o = Origin::start().await;
    assert_eq!(
        o.state.config.webhook_retry_schedule,
        [5, 300, 1800, 7200, 18_000, 36_000, 50_400, 72_000, 86_400].map(Duration::from_secs)
    );
    tokio::spawn(o.state.deliver_webhooks());
    let (url, receiver) = Receiver::start(0).await;
    receiver.set_down(true);
    o.endpoint(serde_json::json!({"url": url, "enabled_events": ["link.created"]}))
        .await;
    o.link(r#"{"amount":1500,"currency":"JPY","title":"Tea"}"#)
        .await;

    let schedule = o.state.config.webhook_retry_schedule.clone();
    for (i, delay) in schedule.iter().enumerate() {
        let row = wait_for_attempts(&o, i as i64 + 1).await;
        assert_eq!(row.status, "pending", "after attempt {}", i + 1);
        let waited = row.next_attempt_at - last_attempt_at(&o).await;
        let expected = delay.as_secs() as i64;
        // The attempt's own time and the rescheduling may straddle a second.
        assert!(
            (expected..=expected + 1).contains(&waited),
            "after attempt {}: next attempt in {waited}s, schedule says {expected}s",
            i + 1
        );
        // Nothing happens before it is due...
        if expected > 2 {
            o.state.clock.advance(expected - 2);
            tokio::time::sleep(Duration::from_millis(700)).await;
            assert_eq!(delivery(&o).await.attempts, i as i64 + 1, "not early");
        }
        // ...and then it does.
        o.state
            .clock
            .advance(row.next_attempt_at - o.state.clock.now());
        o.state.services.outbox.notify_one();
    }
    // Status and attempt count change in one statement.
    let done = wait_for_attempts(&o, schedule.len() as i64 + 1).await;
    assert_eq!(done.status, "failed", "given up after the last retry");
    assert_eq!(done.attempts, 10, "the first try and nine retries");
    assert_eq!(receiver.snapshot().len(), 10);
    assert_eq!(
        o.count("SELECT COUNT(*) FROM webhook_attempts").await,
        10,
        "every attempt is recorded"
    );
    // About three days passed on the origin's clock.
    let total: u64 = schedule.iter().map(Duration::as_secs).sum();
    assert!(o.state.clock.offset_secs() as u64 >= total - 2 * 9);
}
