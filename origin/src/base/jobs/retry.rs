//! When a failed job runs again, or whether it has failed for good.

use std::time::Duration;

/// How a queue retries a job after a failed attempt.
#[derive(Debug, Clone, Copy)]
pub enum Retry<'a> {
    /// The operator's delays, one per retry; when they run out the job has failed for good.
    Schedule(&'a [Duration]),
    /// 1 s, 2 s, 4 s … up to `max`, and never giving up: for work that must land eventually.
    Doubling { max: Duration },
}

impl Retry<'_> {
    /// The wait after failed attempt number `failed` (1 for the first), or `None` when the
    /// job should fail for good.
    pub fn delay(&self, failed: i64) -> Option<Duration> {
        match *self {
            Retry::Schedule(delays) => usize::try_from(failed - 1)
                .ok()
                .and_then(|i| delays.get(i).copied()),
            Retry::Doubling { max } => {
                let secs = 1u64
                    .checked_shl(failed.clamp(1, 63) as u32 - 1)
                    .unwrap_or(u64::MAX);
                Some(Duration::from_secs(secs).min(max))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schedule_runs_out_and_doubling_never_does() {
        let delays = [Duration::from_secs(5), Duration::from_secs(300)];
        let schedule = Retry::Schedule(&delays);
        assert_eq!(schedule.delay(1), Some(Duration::from_secs(5)));
        assert_eq!(schedule.delay(2), Some(Duration::from_secs(300)));
        assert_eq!(schedule.delay(3), None);
        assert_eq!(schedule.delay(0), None);
        let doubling = Retry::Doubling {
            max: Duration::from_secs(60),
        };
        let secs: Vec<u64> = (1..=8)
            .map(|n| doubling.delay(n).map_or(0, |d| d.as_secs()))
            .collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(doubling.delay(1000), Some(Duration::from_secs(60)));
    }
}
