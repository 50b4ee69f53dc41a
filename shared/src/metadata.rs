//! Merchant metadata: a few key–value pairs carried on a link and on every charge it makes,
//! bounded so that a link (and, for offline links, its token) stays small.

pub const MAX_PAIRS: usize = 20;
pub const MAX_KEY_CHARS: usize = 40;
pub const MAX_VALUE_CHARS: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetadataError {
    #[error("metadata has {0} keys; the maximum is {MAX_PAIRS}")]
    TooMany(usize),
    #[error("metadata key {0:?} must be 1-{MAX_KEY_CHARS} characters of A-Z a-z 0-9 _ - .")]
    BadKey(String),
    #[error(
        "metadata value for {0:?} must be 1-{MAX_VALUE_CHARS} characters with no control characters"
    )]
    BadValue(String),
    #[error("metadata key {0:?} appears twice")]
    Duplicate(String),
}

impl MetadataError {
    /// The offending key, for error responses that name a field (`metadata[key]`).
    pub fn key(&self) -> Option<&str> {
        match self {
            MetadataError::TooMany(_) => None,
            MetadataError::BadKey(k) | MetadataError::BadValue(k) | MetadataError::Duplicate(k) => {
                Some(k)
            }
        }
    }
}

/// Checks the pairs. Keys are restricted to a URL- and CSV-safe alphabet so they can name
/// columns and query filters; values are free text without control characters.
pub fn validate(pairs: &[(String, String)]) -> Result<(), MetadataError> {
    if pairs.len() > MAX_PAIRS {
        return Err(MetadataError::TooMany(pairs.len()));
    }
    for (i, (key, value)) in pairs.iter().enumerate() {
        let key_ok = (1..=MAX_KEY_CHARS).contains(&key.len())
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
        if !key_ok {
            return Err(MetadataError::BadKey(key.clone()));
        }
        let n = value.chars().count();
        if n == 0 || n > MAX_VALUE_CHARS || value.chars().any(char::is_control) {
            return Err(MetadataError::BadValue(key.clone()));
        }
        if pairs[..i].iter().any(|(k, _)| k == key) {
            return Err(MetadataError::Duplicate(key.clone()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn accepts_up_to_the_limits() {
        let many: Vec<(String, String)> = (0..MAX_PAIRS)
            .map(|i| (format!("k{i}"), "v".repeat(MAX_VALUE_CHARS)))
            .collect();
        assert_eq!(validate(&many), Ok(()));
        assert_eq!(validate(&pairs(&[("order.id", "注文-1")])), Ok(()));
    }

    #[test]
    fn names_the_key_that_is_wrong() {
        let many: Vec<(String, String)> = (0..=MAX_PAIRS)
            .map(|i| (format!("k{i}"), "v".into()))
            .collect();
        assert_eq!(validate(&many), Err(MetadataError::TooMany(21)));
        let long_key = "k".repeat(MAX_KEY_CHARS + 1);
        assert_eq!(
            validate(&pairs(&[(&long_key, "v")])),
            Err(MetadataError::BadKey(long_key.clone()))
        );
        assert_eq!(
            validate(&pairs(&[("a b", "v")])).map_err(|e| e.key().map(str::to_owned)),
            Err(Some("a b".into()))
        );
        assert_eq!(
            validate(&pairs(&[("a", "")])),
            Err(MetadataError::BadValue("a".into()))
        );
        assert_eq!(
            validate(&pairs(&[("a", "line\nbreak")])),
            Err(MetadataError::BadValue("a".into()))
        );
        let long_value = "v".repeat(MAX_VALUE_CHARS + 1);
        assert!(validate(&pairs(&[("a", &long_value)])).is_err());
        assert_eq!(
            validate(&pairs(&[("a", "1"), ("a", "2")])),
            Err(MetadataError::Duplicate("a".into()))
        );
    }
}
