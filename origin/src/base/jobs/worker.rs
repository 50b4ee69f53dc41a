//! The loop every background worker runs: a round of work, then, by what it found, straight
//! on, a wait for new work, or a pause.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// What one round of a worker did.
#[derive(Debug, PartialEq, Eq)]
pub enum Round {
    /// It ran jobs: there may be more due, so go on at once.
    Worked,
    /// Nothing was due: wait for a wake-up, or poll again after the idle interval (retries
    /// come due without anyone waking the worker).
    Idle,
    /// Stop for this long before the next round (the far end is down).
    Pause(Duration),
}

/// Runs `round` until the process exits. A database error is logged and the round tried again
/// a second later: the jobs are still in their table.
pub async fn run<F, Fut, E>(
    what: &'static str,
    wake: Option<Arc<Notify>>,
    idle: Duration,
    mut round: F,
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Round, E>>,
    E: std::fmt::Display,
{
    loop {
        match round().await {
            Ok(Round::Worked) => {}
            Ok(Round::Idle) => match &wake {
                Some(wake) => {
                    let _ = tokio::time::timeout(idle, wake.notified()).await;
                }
                None => tokio::time::sleep(idle).await,
            },
            Ok(Round::Pause(pause)) => tokio::time::sleep(pause).await,
            Err(e) => {
                tracing::error!(error = %e, "{what}");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}
