//! A signed, short-lived request from the origin (the dashboard) for the edge to render a
//! pay page with some branding, saved or not: `sealed(JSON)` under the edge↔origin secret.
//! The edge renders it as a sample that cannot be paid.

use crate::branding::Branding;
use crate::sealed;
use crate::secret::SecretKey;
use serde::{Deserialize, Serialize};

const DOMAIN: &[u8] = b"linkpay preview v1";
/// A preview URL works this long after the origin made it.
pub const TTL_SECS: i64 = 600;
const MAX_TOKEN_BYTES: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preview {
    pub expires_at: i64,
    pub merchant_name: String,
    /// `en` or `ja`.
    pub locale: String,
    pub branding: Branding,
}

pub fn seal(secret: &SecretKey, p: &Preview) -> String {
    let json = serde_json::to_vec(p).unwrap_or_default();
    sealed::seal(secret, DOMAIN, &json)
}

/// The preview, if the token is genuine and not expired.
pub fn open(secret: &SecretKey, token: &str, now: i64) -> Option<Preview> {
    let json = sealed::open(secret, DOMAIN, token.as_bytes(), MAX_TOKEN_BYTES)?;
    let p: Preview = serde_json::from_slice(&json).ok()?;
    (now < p.expires_at).then_some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_preview_opens_until_it_expires_and_only_with_its_secret() {
        let key = SecretKey::new(vec![7; 32]).expect("key");
        let other = SecretKey::new(vec![8; 32]).expect("key");
        let p = Preview {
            expires_at: 1_000,
            merchant_name: "Kissa".into(),
            locale: "ja".into(),
            branding: Branding::default(),
        };
        let token = seal(&key, &p);
        assert_eq!(open(&key, &token, 999), Some(p));
        assert_eq!(open(&key, &token, 1_000), None);
        assert_eq!(open(&other, &token, 0), None);
        let mut tampered = token.clone().into_bytes();
        tampered[3] ^= 1;
        assert_eq!(
            open(&key, &String::from_utf8(tampered).expect("ascii"), 0),
            None
        );
    }
}
