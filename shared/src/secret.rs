//! Key material that must never be printed.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::fmt;

/// A symmetric key. `Debug` prints `***` so a key can sit in a config struct that gets logged.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey(Vec<u8>);

impl SecretKey {
    /// Minimum key length: HMAC-SHA256 keys shorter than the hash add no strength.
    pub const MIN_LEN: usize = 32;

    pub fn new(bytes: Vec<u8>) -> Result<SecretKey, &'static str> {
        if bytes.len() < Self::MIN_LEN {
            return Err("key must be at least 32 bytes");
        }
        Ok(SecretKey(bytes))
    }

    /// For formats that define their own minimum (webhook secrets: 24 bytes).
    pub(crate) fn new_unchecked(bytes: Vec<u8>) -> SecretKey {
        SecretKey(bytes)
    }

    /// Parses base64url (no padding), the form keys take in env files and key files.
    pub fn from_base64url(s: &str) -> Result<SecretKey, &'static str> {
        let bytes = URL_SAFE_NO_PAD
            .decode(s.trim())
            .map_err(|_| "key is not base64url (no padding)")?;
        SecretKey::new(bytes)
    }

    pub fn to_base64url(&self) -> String {
        URL_SAFE_NO_PAD.encode(&self.0)
    }

    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_key_and_short_keys_are_refused() {
        let key = SecretKey::new(vec![7u8; 32]).expect("32 bytes");
        assert_eq!(format!("{key:?}"), "SecretKey(***)");
        assert!(SecretKey::new(vec![7u8; 31]).is_err());
        assert_eq!(SecretKey::from_base64url(&key.to_base64url()), Ok(key));
        assert!(SecretKey::from_base64url("not base64!").is_err());
    }
}
