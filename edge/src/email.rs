//! A light check of the buyer's email before it goes to the origin, which checks it properly.
//! Enough to catch a slip on the pay page without a parser in every buyer's download.

/// The longest address mail systems accept (RFC 5321 path limit less the angle brackets).
pub const MAX_LEN: usize = 254;

/// At most 254 characters, one `@`, something on either side and nothing blank inside.
pub fn looks_like_one(s: &str) -> bool {
    let mut parts = s.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    s.len() <= MAX_LEN
        && !local.is_empty()
        && !domain.is_empty()
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::looks_like_one;

    #[test]
    fn one_at_with_something_either_side() {
        assert!(looks_like_one("buyer@example.com"));
        assert!(looks_like_one("taro@例え.jp"));
        for bad in ["", "buyer", "@example.com", "buyer@", "a@b@c", "a b@c.jp"] {
            assert!(!looks_like_one(bad), "{bad}");
        }
        assert!(!looks_like_one(&format!("{}@example.com", "a".repeat(250))));
    }
}
