//! Wall-clock time in unix seconds: the unit every table and token uses.
//!
//! Each origin instance reads the time from its own [`Clock`], which it hands to whatever
//! needs it, so a test can move one instance through a schedule measured in hours (webhook
//! retries, authorization windows) while other instances in the same process keep theirs.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// The system clock, moved by an offset that only tests set. Cheap to clone; clones share
/// the offset.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_secs: Arc<AtomicI64>,
}

impl Clock {
    /// Unix seconds.
    pub fn now(&self) -> i64 {
        self.now_millis().div_euclid(1000)
    }

    /// Unix milliseconds, for ids that sort by creation time.
    pub fn now_millis(&self) -> i64 {
        system_millis() + self.offset_secs() * 1000
    }

    /// How far [`Clock::advance`] has moved this clock (0 outside tests).
    pub fn offset_secs(&self) -> i64 {
        self.offset_secs.load(Ordering::Relaxed)
    }

    /// Moves this clock (and its clones) by `secs`. For tests only.
    #[doc(hidden)]
    pub fn advance(&self, secs: i64) {
        self.offset_secs.fetch_add(secs, Ordering::Relaxed);
    }
}

fn system_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The system's time in unix seconds, for what belongs to no origin instance: the command
/// line, and tests that do not move an origin's clock.
pub fn system_now() -> i64 {
    system_millis() / 1000
}

/// RFC 3339 in UTC, e.g. `2026-11-22T05:30:00Z`.
pub fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_a_move_and_other_clocks_do_not_see_it() {
        let (a, b) = (Clock::default(), Clock::default());
        let a2 = a.clone();
        a.advance(3600);
        assert!((a2.now() - system_now() - 3600).abs() <= 1);
        assert!((b.now() - system_now()).abs() <= 1);
    }
}
