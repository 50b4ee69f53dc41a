//! A few seconds of memory for KV reads, per isolate. A popular link's page would otherwise
//! read the same display-state key on every view; KV reads cost latency and money, and display
//! state only has to be right "within seconds". Misses are remembered too: they are the
//! common case (most links have no state). Writes through this isolate forget the key at once.

use std::collections::HashMap;

/// How long a read is reused.
pub const TTL_MS: f64 = 3_000.0;
/// Bounded, so a crawl of many links cannot grow an isolate's memory.
pub const MAX_ENTRIES: usize = 2_048;

#[derive(Default)]
pub struct ReadCache {
    entries: HashMap<String, (Option<String>, f64)>,
}

impl ReadCache {
    /// `Some(value)` if `key` was read less than [`TTL_MS`] ago (`value` may be a miss).
    pub fn get(&self, key: &str, now_ms: f64) -> Option<Option<String>> {
        self.entries
            .get(key)
            .filter(|(_, until)| now_ms < *until)
            .map(|(v, _)| v.clone())
    }

    pub fn insert(&mut self, key: &str, value: Option<String>, now_ms: f64) {
        if self.entries.len() >= MAX_ENTRIES {
            self.entries.retain(|_, (_, until)| now_ms < *until);
            if self.entries.len() >= MAX_ENTRIES {
                self.entries.clear();
            }
        }
        self.entries
            .insert(key.to_owned(), (value, now_ms + TTL_MS));
    }

    pub fn forget(&mut self, key: &str) {
        self.entries.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuses_reads_and_misses_for_a_few_seconds_only() {
        let mut c = ReadCache::default();
        assert_eq!(c.get("s:a", 0.0), None);
        c.insert("s:a", None, 0.0);
        c.insert("p:x", Some("tok".into()), 0.0);
        assert_eq!(c.get("s:a", 1.0), Some(None));
        assert_eq!(c.get("p:x", TTL_MS - 1.0), Some(Some("tok".into())));
        assert_eq!(c.get("p:x", TTL_MS), None);
        c.forget("s:a");
        assert_eq!(c.get("s:a", 1.0), None);
    }

    #[test]
    fn stays_bounded() {
        let mut c = ReadCache::default();
        for i in 0..MAX_ENTRIES * 3 {
            c.insert(&format!("s:{i}"), None, 0.0);
            assert!(c.entries.len() <= MAX_ENTRIES);
        }
        // Expired entries go first, keeping fresh ones.
        c.insert("fresh", None, TTL_MS * 2.0);
        assert_eq!(c.get("fresh", TTL_MS * 2.0), Some(None));
    }
}
