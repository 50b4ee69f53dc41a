//! Wall-clock time in unix seconds: the unit every table and token uses.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds added to the system clock. Only tests move it (see [`advance`]), so schedules
/// measured in hours, such as webhook retries, are tested as they are configured.
static OFFSET: AtomicI64 = AtomicI64::new(0);

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
        + OFFSET.load(Ordering::Relaxed)
}

/// How far [`advance`] has moved this process's clock (0 outside tests).
pub fn offset_secs() -> i64 {
    OFFSET.load(Ordering::Relaxed)
}

/// Moves this process's clock forward by `secs`. For tests only: every reader of [`now`] in
/// the process sees the jump, so a test that uses it runs in its own test binary.
#[doc(hidden)]
pub fn advance(secs: i64) {
    OFFSET.fetch_add(secs, Ordering::Relaxed);
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
