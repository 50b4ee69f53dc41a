//! Random identifiers and secrets, prefixed Stripe-style so a value says what it is.

const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Fills `buf` from the OS RNG. There is no sensible way to continue without randomness.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).expect("the operating system's random number generator failed");
    buf
}

/// `len` base62 characters, unbiased (bytes ≥ 248 are redrawn).
fn base62(len: usize) -> String {
    let mut out = String::with_capacity(len);
    while out.len() < len {
        for b in random_bytes::<32>() {
            if b < 248 && out.len() < len {
                out.push(ALPHABET[(b % 62) as usize] as char);
            }
        }
    }
    out
}

/// An object id such as `lnk_4fK…` (20 base62 characters ≈ 119 bits).
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", base62(20))
}

/// An id that sorts by creation time (`now_millis`, from the instance's clock), such as `evt_0199a4c1b2f3Xk…`: 11 lowercase hex
/// digits of unix milliseconds (they sort the same under any database collation), then 14
/// random base62 characters. Events, deliveries, charges and refunds use it, so "newest first" holds within
/// a second too.
pub fn new_sortable_id(prefix: &str, now_millis: i64) -> String {
    format!("{prefix}_{now_millis:011x}{}", base62(14))
}

/// A short-link code: 8 base62 characters (≈ 47 bits), so `https://pay.example.com/p/…`
/// fits easily in one SMS segment and codes cannot be enumerated in practice.
pub fn short_code() -> String {
    base62(8)
}

/// A secret API key, `sk_test_…` (40 base62 characters ≈ 238 bits).
pub fn new_secret_key(livemode: bool) -> String {
    let mode = if livemode { "live" } else { "test" };
    format!("sk_{mode}_{}", base62(40))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_prefix_length_and_alphabet() {
        let id = new_id("lnk");
        assert!(id.starts_with("lnk_"));
        assert_eq!(id.len(), 24);
        assert!(id[4..].bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(new_id("lnk"), new_id("lnk"));
        assert!(new_secret_key(false).starts_with("sk_test_"));
        assert_eq!(new_secret_key(true).len(), "sk_live_".len() + 40);
    }

    #[test]
    fn sortable_ids_sort_by_time() {
        let first = new_sortable_id("evt", 1_790_000_000_000);
        let second = new_sortable_id("evt", 1_790_000_000_001);
        assert!(first < second, "{first} < {second}");
        // Hex digits sort like numbers only with a fixed width: 2^40 ms is in 2004.
        assert!(new_sortable_id("evt", 0xff_ffff_ffff) < first);
        assert_eq!(first.len(), "evt_".len() + 11 + 14);
    }
}
